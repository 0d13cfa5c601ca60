// Progress of `subflow import`: a bar with rows/s and ETA on a terminal, plain lines otherwise.

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR = 30;
const LINE_EVERY_MS = 2000;

const n = (value: number) => Math.round(value).toLocaleString('en');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The file's size is the measure of the whole (rows are counted as they are read), so the ETA is
 * the bytes left at the rate so far.
 * @example const p = new ImportProgress(process.stderr, size); p.update(rows, bytes); p.finish();
 */
export class ImportProgress {
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly totalBytes: number,
  ) {}

  update(rows: number, bytes: number): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? rows / seconds : 0;
    const share = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : 0;
    const eta = share > 0 ? (seconds * (1 - share)) / share : Number.NaN;
    if (this.out.isTTY) {
      const filled = Math.round(share * BAR);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}`;
      this.out.write(
        `\r[${bar}] ${Math.round(share * 100)}% ${n(rows)} rows, ${n(rate)} rows/s, ETA ${duration(eta)}  `,
      );
      return;
    }
    if (Date.now() - this.lastLine < LINE_EVERY_MS) return;
    this.lastLine = Date.now();
    this.out.write(`${n(rows)} rows (${Math.round(share * 100)}%), ${n(rate)} rows/s\n`);
  }

  /** Ends the bar's line; answers the seconds taken. */
  finish(): number {
    if (this.out.isTTY) this.out.write('\n');
    return (Date.now() - this.started) / 1000;
  }
}
