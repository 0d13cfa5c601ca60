// Imports: 100,000 CSV rows through the API (multipart) and the CLI, rows/s and peak RSS; then the
// server's RSS growth while it imports 1,000,000 rows from a file URL (streamed, never held whole).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BenchModule, withSubflow } from './context.ts';
import { REPO_ROOT, readRss, type ServerChild, sampleRss, toMb } from './processes.ts';
import type { Measurement } from './report.ts';

const ROWS = 100_000;
const API_KEY = 'bench-imports-key-0123456789';
const TARGET_ROWS_PER_S = 20_000;
const MAX_GROWTH_MB = 150;
const HEADER = 'Email,Mobile,Firstname,Lastname,Plan\n';

/** Seed 000's columns: an email, an Israeli mobile written nationally, names and a plan. */
function csvLine(i: number): string {
  return `user${i}@example.com,05${String(40_000_000 + i).padStart(8, '0')},First${i},Last${i},plan${i % 20}\n`;
}

function csvText(rows: number): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(csvLine(i));
  return lines.join('');
}

const OPTIONS = { defaultCountry: 'IL', trimLeadingZero: true, groups: ['Bench'] };

async function api(server: ServerChild, path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${API_KEY}`, ...init.headers },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

interface ImportResult {
  seconds: number;
  status: string;
  created: number;
  updated: number;
  failed: number;
}

/** Polls the import every 50 ms until it is finished; the time is from the request's start. */
async function waitDone(server: ServerChild, id: number, started: number): Promise<ImportResult> {
  for (;;) {
    const found = (await api(server, `/imports/${id}?failedLimit=0`)) as ImportResult;
    if (found.status === 'done' || found.status === 'failed')
      return { ...found, seconds: (performance.now() - started) / 1000 };
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function uploadCsv(server: ServerChild, csv: string): Promise<ImportResult> {
  const form = new FormData();
  form.set('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
  form.set('options', JSON.stringify(OPTIONS));
  const started = performance.now();
  const { id } = (await api(server, '/imports', { method: 'POST', body: form })) as { id: number };
  return waitDone(server, id, started);
}

/** A file server that writes `rows` CSV rows as it goes: the bench holds none of them either. */
async function streamingFiles(rows: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.write(HEADER);
    for (let i = 0; i < rows; i += 1000) {
      let block = '';
      for (let j = i; j < Math.min(rows, i + 1000); j++) block += csvLine(j);
      if (!res.write(block)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/contacts.csv`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function runCli(file: string, databaseUrl: string): Promise<{ stdout: string; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const args = [
      'server/bin/subflow.js',
      'import',
      file,
      '--default-country',
      'IL',
      '--trim-leading-zero',
      '--group',
      'Bench',
    ];
    const child = execFile(
      process.execPath,
      args,
      {
        cwd: REPO_ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
        maxBuffer: 1 << 20,
      },
      (err, stdout, stderr) => {
        rss
          .stop()
          .then((peakRss) =>
            err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, peakRss }),
          );
      },
    );
    const rss = sampleRss(child.pid ?? 0);
  });
}

const ratePerS = (rows: number, seconds: number) => rows / seconds;

export const importsBench: BenchModule = {
  name: 'imports',
  async run(ctx) {
    const rows: Measurement[] = [];
    const csv = csvText(ROWS);
    const what = `${ROWS.toLocaleString('en')} CSV rows`;
    for (const database of ctx.databases) {
      const section = `imports (${database.label})`;
      const judged = database.label === 'sqlite';
      await withSubflow(
        ctx,
        database,
        'imports_api',
        async (server) => {
          const before = await server.memoryAfterGc();
          ctx.progress(`${server.name}: importing ${what} through POST /api/v1/imports`);
          const rss = sampleRss(server.pid, 100);
          const created = await uploadCsv(server, csv);
          const peak = await rss.stop();
          ctx.progress(`${server.name}: the same file again (every row an update)`);
          const updated = await uploadCsv(server, csv);
          rows.push(
            {
              section,
              name: `API: ${what}, new contacts`,
              value:
                created.status === 'done' && created.created === ROWS
                  ? ratePerS(ROWS, created.seconds)
                  : Number.NaN,
              unit: 'rows/s',
              target: judged ? { op: '>=', limit: TARGET_ROWS_PER_S } : undefined,
              note: `${created.seconds.toFixed(1)} s from upload to done; ${created.created} created, ${created.failed} failed`,
            },
            {
              section,
              name: `API: ${what} again, all updates`,
              value:
                updated.status === 'done' && updated.updated === ROWS
                  ? ratePerS(ROWS, updated.seconds)
                  : Number.NaN,
              unit: 'rows/s',
              note: `${updated.seconds.toFixed(1)} s; ${updated.updated} updated`,
            },
            {
              section,
              name: 'API: server peak RSS during the first import',
              value: toMb(peak),
              unit: 'MB',
              note: `${toMb(before.rss).toFixed(0)} MB before (after GC)`,
            },
          );
        },
        { BOOTSTRAP_API_KEY: API_KEY },
      );

      const fresh = await database.create('imports_cli');
      try {
        // The CLI migrates the database itself, as `subflow import` does on a new one.
        const file = join(mkdtempSync(join(tmpdir(), 'subflow-bench-csv-')), 'bench.csv');
        writeFileSync(file, csv);
        ctx.progress(`subflow import (${database.label}): ${what}`);
        const { stdout, peakRss } = await runCli(file, fresh.url);
        const rate = Number(
          /\(([\d,]+) rows\/s\)/.exec(stdout)?.[1]?.replace(/,/g, '') ?? Number.NaN,
        );
        rows.push(
          {
            section,
            name: `CLI: ${what}, new contacts`,
            value: stdout.includes(`${ROWS} created`) ? rate : Number.NaN,
            unit: 'rows/s',
            target: judged ? { op: '>=', limit: TARGET_ROWS_PER_S } : undefined,
            note: stdout.trim().replace(/; failed rows.*/, ''),
          },
          { section, name: 'CLI: peak RSS', value: toMb(peakRss), unit: 'MB' },
        );
        rmSync(dirname(file), { recursive: true, force: true });
      } finally {
        await fresh.drop();
      }
    }

    // Memory: one database is enough to see whether the source is streamed; SQLite has the target.
    const database = ctx.databases[0];
    if (!database) return rows;
    const big = ctx.measureS >= 10 ? 1_000_000 : 250_000;
    const section = `imports memory (${database.label})`;
    await withSubflow(
      ctx,
      database,
      'imports_memory',
      async (server) => {
        const files = await streamingFiles(big);
        try {
          const before = await server.memoryAfterGc();
          ctx.progress(
            `${server.name}: importing ${big.toLocaleString('en')} rows from a file URL`,
          );
          const rss = sampleRss(server.pid, 200);
          const started = performance.now();
          const { id } = (await api(server, '/contacts/upload', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ link: files.url, ...OPTIONS }),
          })) as { id: number };
          const done = await waitDone(server, id, started);
          const peak = await rss.stop();
          const growth = toMb(peak - before.rss);
          rows.push({
            section,
            name: `${big.toLocaleString('en')} rows from a file URL: RSS growth (peak − before)`,
            value: done.status === 'done' && done.created === big ? growth : Number.NaN,
            unit: 'MB',
            target: { op: '<', limit: MAX_GROWTH_MB },
            note: `${toMb(before.rss).toFixed(0)} → ${toMb(peak).toFixed(0)} MB; ${ratePerS(big, done.seconds).toFixed(0)} rows/s; now ${toMb(await readRss(server.pid)).toFixed(0)} MB`,
          });
        } finally {
          await files.close();
        }
      },
      { BOOTSTRAP_API_KEY: API_KEY, IMPORT_ALLOW_PRIVATE: 'true' },
    );
    return rows;
  },
};
