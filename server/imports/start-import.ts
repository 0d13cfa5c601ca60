// Creating import sessions: bulk contacts in one transaction, CSV rows streamed into stored chunks.
import { unknownGroupIds } from '../contacts/save-contact.ts';
import type { ImportRow } from '../db/schema.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { ValidationError } from '../errors.ts';
import type { ImportRules } from './import-rules.ts';
import type { StoredImportOptions } from './import-source-options.ts';
import { type ImportRunner, runImport } from './run-import.ts';
import { resolveMapping } from './sources/csv-mapping.ts';
import { storeChunk } from './store/import-chunks.ts';
import {
  createImport,
  deleteImport,
  markReceived,
  touchReceiving,
} from './store/import-sessions.ts';

/**
 * Rows per chunk: one transaction of the worker. Large enough that a chunk's few statements cost
 * little per row, small enough that a chunk holds SQLite's writer for tens of milliseconds.
 */
export const CHUNK_ROWS = 1000;

async function storeRows(ctx: VerbContext, importId: number, rows: unknown[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS)
    await storeChunk(ctx.db, importId, i, rows.slice(i, i + CHUNK_ROWS));
}

/**
 * Queues a bulk import (eSputnik's `contacts` array): the session and its rows in one transaction;
 * the worker is woken once it commits.
 * @example const session = await queueBulkImport(ctx, { contacts, rules }, Date.now())
 */
export function queueBulkImport(
  ctx: VerbContext,
  input: { contacts: unknown[]; rules: ImportRules },
  now: number,
): Promise<ImportRow> {
  return withTransaction(ctx, async (tx) => {
    const options: StoredImportOptions = { rules: input.rules };
    const session = await createImport(
      tx.db,
      {
        kind: 'contacts',
        status: 'queued',
        options,
        source: input.rules.source,
        total: input.contacts.length,
      },
      now,
    );
    await storeRows(tx, session.id, input.contacts);
    tx.afterCommit(tx.wakeups.imports);
    return session;
  });
}

/**
 * `?sync=true`: the session is created held by this process's worker and run in the request, so
 * the answer is the finished import. A process that dies meanwhile leaves it to the worker.
 */
export async function importBulkNow(
  ctx: VerbContext,
  runner: ImportRunner,
  input: { contacts: unknown[]; rules: ImportRules },
  now: number,
): Promise<number> {
  const session = await withTransaction(ctx, async (tx) => {
    const created = await createImport(
      tx.db,
      {
        kind: 'contacts',
        status: 'running',
        options: { rules: input.rules } satisfies StoredImportOptions,
        source: input.rules.source,
        total: input.contacts.length,
        holder: { workerId: runner.workerId, until: now + runner.leaseMs },
      },
      now,
    );
    await storeRows(tx, created.id, input.contacts);
    return created;
  });
  await runImport(runner, session);
  return session.id;
}

/**
 * Stores a CSV import from its records (header first) as they arrive, a chunk at a time, so no
 * more than one chunk is ever held; then queues it. A header that does not fit the mapping is a
 * ValidationError before anything is stored; a source that fails midway leaves nothing behind.
 * @example await receiveCsvImport(ctx, { records: csvRecords(stream), rules }, Date.now())
 */
export async function receiveCsvImport(
  ctx: VerbContext,
  input: {
    records: AsyncIterable<string[]>;
    mapping?: Record<string, string>;
    rules: ImportRules;
  },
  now: number,
): Promise<ImportRow> {
  const unknown = await unknownGroupIds(ctx.db, input.rules.groupIds ?? []);
  if (unknown.length > 0) throw new ValidationError(unknown);
  const iterator = input.records[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done)
    throw new ValidationError([{ field: 'csv', message: 'is empty: expected a header line' }]);
  const columns = first.value;
  const mapping = resolveMapping(columns, input.mapping);
  if (!['email', 'phone', 'externalId'].some((t) => t in mapping))
    throw new ValidationError([
      {
        field: input.mapping ? 'mapping' : 'csv',
        message: `no column for email, phone or externalId (columns: ${columns.join(', ')})`,
      },
    ]);
  const options: StoredImportOptions = { rules: input.rules, csv: { columns, mapping } };
  const session = await createImport(
    ctx.db,
    { kind: 'csv', status: 'receiving', options, source: input.rules.source, total: 0 },
    now,
  );
  try {
    let total = 0;
    let chunk: string[][] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      await storeChunk(ctx.db, session.id, total, chunk);
      total += chunk.length;
      chunk = [];
      await touchReceiving(ctx.db, session.id, Date.now());
    };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      chunk.push(next.value);
      if (chunk.length === CHUNK_ROWS) await flush();
    }
    await flush();
    await markReceived(ctx.db, session.id, total, Date.now());
    ctx.wakeups.imports();
    return { ...session, status: 'queued', total };
  } catch (err) {
    await iterator.return?.(undefined);
    await deleteImport(ctx.db, session.id);
    throw err;
  }
}
