// `subflow import FILE.csv`: streams a CSV into the database through the imports' chunk path.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { migrateToLatest } from '../db/migrate.ts';
import { type DB, openDatabase } from '../db/open-database.ts';
import { noWakeups, withTransaction } from '../db/unit-of-work.ts';
import { ValidationError } from '../errors.ts';
import { CsvImportOptions } from '../imports/http/import-schemas.ts';
import { csvRules, type ImportRules } from '../imports/import-rules.ts';
import { readRows, type StoredImportOptions } from '../imports/import-source-options.ts';
import { resolveMapping } from '../imports/sources/csv-mapping.ts';
import { type CsvLayout, csvRecords } from '../imports/sources/csv-rows.ts';
import { CHUNK_ROWS } from '../imports/start-import.ts';
import type { RowFailure } from '../imports/store/import-failures.ts';
import type { ChunkCounts } from '../imports/store/import-sessions.ts';
import { writeChunk } from '../imports/write-chunk.ts';
import { ImportProgress, type ProgressOutput } from './import-progress.ts';

export interface CliImportOptions {
  map?: string;
  group?: string[];
  groupExclude?: string[];
  defaultCountry?: string;
  trimLeadingZero?: boolean;
  status?: string;
  updateExisting?: boolean;
  eventKey?: string;
}

/** `email=Email,phone=Mobile,fields.plan=Plan` → `{email: 'Email', …}`. */
function parseMap(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at < 1)
      throw new ValidationError([
        { field: '--map', message: `expected field=Column, got ${JSON.stringify(pair)}` },
      ]);
    mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return mapping;
}

/** The flags read as the API's CSV options, through the same schema. */
function optionsOf(flags: CliImportOptions) {
  const parsed = CsvImportOptions.safeParse({
    mapping: flags.map === undefined ? undefined : parseMap(flags.map),
    groups: flags.group,
    groupsExclude: flags.groupExclude,
    defaultCountry: flags.defaultCountry,
    trimLeadingZero: flags.trimLeadingZero,
    status: flags.status,
    updateExisting: flags.updateExisting,
    eventKeyForNewContacts: flags.eventKey,
  });
  if (!parsed.success)
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ field: `--${String(i.path[0])}`, message: i.message })),
    );
  return parsed.data;
}

/** A CSV field, quoted when it must be. */
const csvField = (value: string) =>
  /[",;\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** Writes failed rows as the input's columns plus `reason`, to `FILE.failed.csv`. */
function failedRowsFile(path: string, columns: string[]) {
  let stream: ReturnType<typeof createWriteStream> | undefined;
  return {
    add(failures: RowFailure[]) {
      if (failures.length === 0) return;
      if (!stream) {
        stream = createWriteStream(path);
        stream.write(`${[...columns, 'reason'].map(csvField).join(',')}\r\n`);
      }
      for (const f of failures) {
        const row = f.row as Record<string, string>;
        stream.write(
          `${[...columns.map((c) => row[c] ?? ''), f.reason].map(csvField).join(',')}\r\n`,
        );
      }
    },
    close: () => new Promise<void>((resolve) => (stream ? stream.end(resolve) : resolve())),
    written: () => stream !== undefined,
  };
}

/**
 * Imports a CSV file: read as a stream, a chunk of rows at a time, each chunk in one transaction
 * (the worker's chunk path, without a session: the file itself is the record).
 */
export async function importCsvFile(
  db: DB,
  file: string,
  flags: CliImportOptions,
  out: { progress: ProgressOutput; log: (line: string) => void },
): Promise<ChunkCounts & { failedFile?: string }> {
  const options = optionsOf(flags);
  const rules: ImportRules = csvRules(options, 'import:cli');
  const input = createReadStream(file);
  const records = csvRecords(input)[Symbol.asyncIterator]();
  const header = await records.next();
  if (header.done)
    throw new ValidationError([{ field: 'FILE', message: 'is empty: expected a header line' }]);
  const layout: CsvLayout = {
    columns: header.value,
    mapping: resolveMapping(header.value, options.mapping),
  };
  if (!['email', 'phone', 'externalId'].some((t) => t in layout.mapping))
    throw new ValidationError([
      {
        field: '--map',
        message: `no column for email, phone or externalId (columns: ${header.value.join(', ')})`,
      },
    ]);
  const failedPath = `${file}.failed.csv`;
  const failed = failedRowsFile(failedPath, layout.columns);
  const progress = new ImportProgress(out.progress, statSync(file).size);
  const totals: ChunkCounts = { created: 0, updated: 0, skipped: 0, failed: 0 };
  const stored: StoredImportOptions = { rules, csv: layout };
  let index = 0;
  let batch: string[][] = [];
  const flush = async () => {
    const rows = readRows('csv', stored, batch, index);
    index += batch.length;
    batch = [];
    const outcome = await withTransaction({ db, wakeups: noWakeups }, (tx) =>
      writeChunk(tx, rows, rules, Date.now()),
    );
    for (const key of Object.keys(totals) as (keyof ChunkCounts)[])
      totals[key] += outcome.counts[key];
    failed.add(outcome.failures);
    progress.update(index, input.bytesRead);
  };
  for (let next = await records.next(); !next.done; next = await records.next()) {
    batch.push(next.value);
    if (batch.length === CHUNK_ROWS) await flush();
  }
  if (batch.length > 0) await flush();
  const seconds = progress.finish();
  await failed.close();
  out.log(
    `imported ${index.toLocaleString('en')} rows in ${seconds.toFixed(1)} s ` +
      `(${Math.round(index / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s): ` +
      `${totals.created} created, ${totals.updated} updated, ${totals.skipped} skipped, ${totals.failed} failed` +
      (failed.written() ? `; failed rows with their reasons in ${failedPath}` : ''),
  );
  return { ...totals, ...(failed.written() ? { failedFile: failedPath } : {}) };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerImport(program: Command, databaseUrl: () => string): void {
  program
    .command('import')
    .description('import contacts from a CSV file into DATABASE_URL (created confirmed, no mail)')
    .argument('<file>', 'CSV file, UTF-8, `,` or `;`, header line first')
    .option('--map <pairs>', 'field=Column pairs, e.g. email=Email,phone=Mobile,fields.plan=Plan')
    .option('--group <name>', 'add every contact to this group (repeatable)', collect)
    .option('--group-exclude <name>', 'take every contact out of this group (repeatable)', collect)
    .option('--default-country <code>', 'country of numbers without +: IL or 972')
    .option('--trim-leading-zero', "drop a national number's leading zeros")
    .option('--status <status>', 'status of new contacts (default confirmed); existing ones too')
    .option('--no-update-existing', 'leave contacts that exist as they are')
    .option('--event-key <type>', 'append an event of this type for each new contact')
    .action(async (file: string, flags: CliImportOptions) => {
      const { db, dialect, close } = openDatabase(databaseUrl());
      try {
        await migrateToLatest(db, dialect);
        await importCsvFile(db, file, flags, {
          progress: process.stderr,
          log: (line) => process.stdout.write(`${line}\n`),
        });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        process.stderr.write(`import refused: ${err.message}\n`);
        process.exitCode = 2;
      } finally {
        await close();
      }
    });
}
