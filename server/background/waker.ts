// Sleep that ends early on wake(): background loops poll as a backstop but react to new work at once.
export class Waker {
  private wakeUp: (() => void) | undefined;
  private pending = false;

  /** Resolves after `ms`, or as soon as wake() is called (also if it was called since the last sleep). */
  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }
}
