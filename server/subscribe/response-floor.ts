// Pads each public subscribe to a floor that adapts to recent durations, so time reveals no state.

export interface ResponseFloorOptions {
  /** Which quantile of recent durations the floor sits at; work slower than it is not padded. */
  quantile: number;
  /** How many recent durations the quantile is taken over. */
  window: number;
  /** The floor never exceeds this, so a burst of slow requests cannot slow every later one much. */
  maxFloorMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const defaults: ResponseFloorOptions = {
  quantile: 0.99,
  window: 512,
  maxFloorMs: 200,
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A new address costs an insert and a mail, a known one an update: about a millisecond apart,
 * which a few hundred requests measure. Padding every subscribe to a high quantile of recent
 * durations hides that difference under it. The padding is a sleep, not work, so under load it
 * costs latency close to the quantile but no throughput; one instance per process.
 * @example const timer = floor.start(); await subscribeContact(ctx, input); await timer.finish();
 */
export class ResponseFloor {
  private readonly options: ResponseFloorOptions;
  private readonly durations: number[] = [];
  private next = 0;
  private floorMs = 0;
  private sinceRecompute = 0;

  constructor(options: Partial<ResponseFloorOptions> = {}) {
    this.options = { ...defaults, ...options };
  }

  /** The current floor in ms. */
  get currentFloorMs(): number {
    return this.floorMs;
  }

  /**
   * Starts timing one request; `finish` waits out the rest of the floor. Record only the work
   * the floor must hide: a fast path recorded would pull the floor below it. `workMs` is the part
   * of the time that depends on the address (the transaction's own work); without it, all the time
   * since `start`. Waiting for the connection, or for others sharing a commit, depends on the load,
   * not on the address: left out, it neither raises the floor nor is padded again.
   */
  start(): { finish(opts?: { record?: boolean; workMs?: number }): Promise<void> } {
    const { now, sleep } = this.options;
    const started = now();
    return {
      finish: async ({ record = true, workMs } = {}) => {
        const work = workMs ?? now() - started;
        if (record) this.record(work);
        if (work < this.floorMs) await sleep(this.floorMs - work);
      },
    };
  }

  private record(durationMs: number): void {
    const { window } = this.options;
    const filling = this.durations.length < window;
    if (filling) this.durations.push(durationMs);
    else this.durations[this.next] = durationMs;
    this.next = (this.next + 1) % window;
    // Sorting the window on every request would cost more than the work it hides; the quantile
    // moves slowly, so recompute it every few samples (every one while the window fills).
    if (filling || ++this.sinceRecompute >= 16) {
      this.sinceRecompute = 0;
      this.recompute();
    }
  }

  private recompute(): void {
    const sorted = [...this.durations].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.floor(this.options.quantile * sorted.length));
    this.floorMs = Math.min(this.options.maxFloorMs, sorted[index] ?? 0);
  }
}
