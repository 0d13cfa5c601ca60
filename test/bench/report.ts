// Bench results: each figure with its target and verdict, printed as a table and saved as JSON.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform } from 'node:os';

export type Unit = 'req/s' | 'steps/s' | 'rows/s' | 'ms' | '%' | 'MB' | 'B' | 'count';

/** A limit a figure must hold; `op` reads "value op limit" (e.g. p99 < 30 ms). */
export interface Target {
  op: '>=' | '<=' | '<';
  limit: number;
}

/** One figure as a bench module reports it. */
export interface Measurement {
  section: string;
  name: string;
  value: number;
  unit: Unit;
  target?: Target;
  note?: string;
}

/** PASS/FAIL against a target; INFO for figures without one; ERROR for a module that crashed. */
export type Verdict = 'PASS' | 'FAIL' | 'INFO' | 'ERROR';

export interface ResultRow extends Omit<Measurement, 'value'> {
  value: number | null;
  verdict: Verdict;
}

function holds(value: number, { op, limit }: Target): boolean {
  if (op === '>=') return value >= limit;
  if (op === '<=') return value <= limit;
  return value < limit;
}

export function judge(m: Measurement): ResultRow {
  if (!Number.isFinite(m.value)) return { ...m, value: null, verdict: m.target ? 'FAIL' : 'INFO' };
  return { ...m, verdict: m.target ? (holds(m.value, m.target) ? 'PASS' : 'FAIL') : 'INFO' };
}

/** The row that stands in for a module that threw, so the rest of the report still prints. */
export function crashRow(section: string, error: unknown): ResultRow {
  const message = error instanceof Error ? error.message : String(error);
  return {
    section,
    name: 'module crashed',
    value: null,
    unit: 'count',
    verdict: 'ERROR',
    note: message,
  };
}

const DECIMALS: Record<Unit, number> = {
  'req/s': 0,
  'steps/s': 0,
  'rows/s': 0,
  ms: 1,
  '%': 1,
  MB: 1,
  B: 0,
  count: 0,
};

function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return '—';
  return `${value.toFixed(DECIMALS[unit])} ${unit}`;
}

function formatTarget(target: Target | undefined, unit: Unit): string {
  return target ? `${target.op} ${formatValue(target.limit, unit)}` : '';
}

/** A plain-text table; one block per section so baselines sit next to what they are compared with. */
export function renderTable(rows: ResultRow[]): string {
  const header = ['section', 'figure', 'value', 'target', 'verdict', 'note'];
  const cells = rows.map((r) => [
    r.section,
    r.name,
    formatValue(r.value, r.unit),
    formatTarget(r.target, r.unit),
    r.verdict,
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 2 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  cells.forEach((c, i) => {
    if (i > 0 && rows[i - 1]?.section !== rows[i]?.section) out.push('');
    out.push(line(c));
  });
  return `${out.join('\n')}\n`;
}

export interface BenchReport {
  startedAt: string;
  durationS: number;
  /** What the figures depend on; compare runs only between like machines. */
  machine: { cpus: number; cpuModel: string; node: string; platform: string; loadavg: number[] };
  options: Record<string, unknown>;
  results: ResultRow[];
  summary: Record<Verdict, number>;
}

export function buildReport(
  rows: ResultRow[],
  startedAt: Date,
  options: Record<string, unknown>,
): BenchReport {
  const summary: Record<Verdict, number> = { PASS: 0, FAIL: 0, INFO: 0, ERROR: 0 };
  for (const r of rows) summary[r.verdict]++;
  return {
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: platform(),
      loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    options,
    results: rows,
    summary,
  };
}

export function writeReport(path: string, report: BenchReport): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
