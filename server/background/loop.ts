// A background loop (mail sender, workflow engine): a pass, then sleep until woken or due again.
import type { Logger } from '../logger.ts';

export interface LoopOptions {
  name: string;
  logger: Logger;
  /** Does one round of work; true when more is waiting, so the loop goes on without sleeping. */
  pass: () => Promise<boolean>;
  /** How long to sleep when idle; a wake() ends the sleep early. */
  idleMs: () => Promise<number> | number;
  /**
   * Least time between the starts of two passes. Under load every request wakes the loop; waiting a
   * few milliseconds lets one pass (and one commit) serve many requests instead of one each.
   */
  minIntervalMs?: number;
}

export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  constructor(private readonly opts: LoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Runs a pass now instead of after the sleep; remembered if a pass is under way. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pendingWake = true;
  }

  /** Lets the pass in progress finish, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastPass = 0;
    while (this.running) {
      const gap = lastPass + (this.opts.minIntervalMs ?? 0) - Date.now();
      if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
      lastPass = Date.now();
      this.pendingWake = false;
      let busy = false;
      try {
        busy = await this.opts.pass();
      } catch (err) {
        this.opts.logger.error({ err }, `${this.opts.name}: pass failed; will retry`);
      }
      if (!busy && this.running && !this.pendingWake) await this.sleep(await this.opts.idleMs());
    }
  }

  private sleep(ms: number): Promise<void> {
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
}
