// `npm run bench`: runs each bench module against real server processes, prints a table of figures
// with their targets, writes bench-results.json. Exits 1 only if a module crashed, or with --strict
// on any FAIL.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminBench } from './admin.ts';
import { confirmationLatencyBench } from './confirmation-latency.ts';
import { contactsListBench } from './contacts-list.ts';
import type { BenchContext, BenchModule } from './context.ts';
import { benchDatabases } from './databases.ts';
import { engineBench } from './engine.ts';
import { importsBench } from './imports.ts';
import { memoryBench } from './memory.ts';
import { killAllChildren, REPO_ROOT } from './processes.ts';
import {
  buildReport,
  crashRow,
  judge,
  type ResultRow,
  renderTable,
  writeReport,
} from './report.ts';
import { SmtpSink } from './smtp-sink.ts';
import { subscribeBench } from './subscribe.ts';
import { widgetBench } from './widget.ts';

/** In run order; a new area (import, …) is one more module here. */
const MODULES: BenchModule[] = [
  subscribeBench,
  confirmationLatencyBench,
  memoryBench,
  widgetBench,
  engineBench,
  contactsListBench,
  importsBench,
  adminBench,
];

const { values: flags } = parseArgs({
  options: {
    strict: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const strict = flags.strict === true;
const quick = flags.quick === true;
const only = flags.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !MODULES.some((m) => m.name === name)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `unknown module ${unknown.join(', ')}; modules: ${MODULES.map((m) => m.name).join(', ')}\n`,
  );
  process.exit(2);
}

// Children must not outlive the bench, however it ends.
process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

const startedAt = new Date();
// Another job on the box skews every figure; the load before and after the run shows it.
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const tmpDir = mkdtempSync(join(tmpdir(), 'subflow-bench-'));
const smtp = await new SmtpSink().start();
const ctx: BenchContext = {
  smtp,
  databases: benchDatabases(tmpDir),
  measureS: quick ? 3 : 10,
  warmupS: quick ? 1 : 2,
  progress: (line) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`),
};
function elapsed(): string {
  return `${Math.round((Date.now() - startedAt.getTime()) / 1000)} s`;
}

const rows: ResultRow[] = [];
try {
  for (const module of MODULES) {
    if (only && !only.includes(module.name)) continue;
    try {
      rows.push(...(await module.run(ctx)).map(judge));
    } catch (err) {
      // One broken area must not hide the others' figures.
      process.stderr.write(`bench module ${module.name} crashed: ${(err as Error).stack}\n`);
      rows.push(crashRow(module.name, err));
    }
  }
} finally {
  killAllChildren();
  await smtp.stop();
  rmSync(tmpDir, { recursive: true, force: true });
}

const report = buildReport(rows, startedAt, {
  strict,
  quick,
  loadavgAtStart: loadAtStart,
  only: only ?? null,
  databases: ctx.databases.map((d) => d.label),
  measureS: ctx.measureS,
  warmupS: ctx.warmupS,
});
const resultsPath = join(REPO_ROOT, 'bench-results.json');
writeReport(resultsPath, report);
process.stdout.write(`\n${renderTable(rows)}\n`);
const { PASS, FAIL, INFO, ERROR } = report.summary;
process.stdout.write(
  `${PASS} pass, ${FAIL} fail, ${INFO} info, ${ERROR} crashed in ${report.durationS} s ` +
    `(${report.machine.cpus} CPUs, load ${loadAtStart[0]} at start, ${report.machine.loadavg[0]} at end); ` +
    `written to bench-results.json\n`,
);
// Exit explicitly: a stray keep-alive socket or timer must not keep a finished bench running.
process.exit(ERROR > 0 || (strict && FAIL > 0) ? 1 : 0);
