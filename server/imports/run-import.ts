// Imports a claimed session chunk by chunk; each chunk commits with the offset it moves, exactly once.
import { setImmediate } from 'node:timers/promises';
import { backoffMs } from '../background/backoff.ts';
import type { DB } from '../db/open-database.ts';
import type { ImportRow } from '../db/schema.ts';
import { type Wakeups, withTransaction } from '../db/unit-of-work.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { readRows, type StoredImportOptions } from './import-source-options.ts';
import { chunkAt, dropChunk, dropChunks } from './store/import-chunks.ts';
import { recordFailures } from './store/import-failures.ts';
import {
  failImport,
  finishImport,
  holdImportAt,
  ImportLeaseLost,
  recordChunk,
  recordChunkFailure,
} from './store/import-sessions.ts';
import { writeChunk } from './write-chunk.ts';

export interface ImportRunner {
  db: DB;
  wakeups: Wakeups;
  logger: Logger;
  /** This process's identity for claims (background/worker-registry.ts). */
  workerId: string;
  leaseMs: number;
  retryMs: number;
  maxAttempts: number;
  /** True when the process is stopping: the session is left at its offset for the next claim. */
  stopping?: () => boolean;
  clock?: () => number;
}

export type RunOutcome = 'done' | 'failed' | 'retry' | 'stopped' | 'lost';

/**
 * Runs a session this worker holds until every chunk is imported (or it stops, or loses the
 * session). A chunk's contacts, its failures, its counts and the offset past it commit in one
 * transaction that first proves the lease (`holdImportAt`): a process killed at any point resumes
 * at the last committed offset, and no row is imported twice.
 */
export async function runImport(runner: ImportRunner, session: ImportRow): Promise<RunOutcome> {
  const clock = runner.clock ?? Date.now;
  const held = { id: session.id, workerId: runner.workerId };
  const options = JSON.parse(session.options) as StoredImportOptions;
  const log = runner.logger.child({ importId: session.id });
  const load = async (at: number) => {
    const chunk = await chunkAt(runner.db, session.id, at);
    if (!chunk) return undefined;
    const rows = readRows(session.kind, options, chunk.rows, chunk.firstIndex);
    return { firstIndex: chunk.firstIndex, next: chunk.firstIndex + chunk.rows.length, rows };
  };
  let offset = session.processed;
  let attempts = session.attempts;
  try {
    while (!runner.stopping?.()) {
      const current = await load(offset);
      if (!current) {
        await finishImport(runner.db, held, { status: 'done' }, clock());
        log.info({ rows: offset }, 'import done');
        return 'done';
      }
      const rows = current.rows;
      await withTransaction({ db: runner.db, wakeups: runner.wakeups }, async (tx) => {
        const now = clock();
        await holdImportAt(tx.db, held, offset, now + runner.leaseMs, now);
        const outcome = await writeChunk(tx, rows, options.rules, now);
        await recordFailures(tx.db, session.id, outcome.failures);
        await dropChunk(tx.db, session.id, current.firstIndex);
        await recordChunk(tx.db, session.id, { offset: current.next, counts: outcome.counts });
      });
      offset = current.next;
      attempts = 0;
      // better-sqlite3 answers synchronously, so a chunk never leaves the event loop on its own:
      // let requests (and the heartbeat) in between two chunks.
      await setImmediate();
    }
    return 'stopped';
  } catch (thrown) {
    if (thrown instanceof ImportLeaseLost) {
      log.warn('import session taken over by another worker; leaving it');
      return 'lost';
    }
    return chunkFailed(runner, held, coerceError(thrown), attempts + 1, clock());
  }
}

/** A chunk failed as a whole: retried later with backoff, or the session fails after too many. */
async function chunkFailed(
  runner: ImportRunner,
  held: { id: number; workerId: string },
  error: Error,
  attempt: number,
  now: number,
): Promise<RunOutcome> {
  const log = runner.logger.child({ importId: held.id });
  const retryAt = now + backoffMs(attempt, runner.retryMs, 10 * 60_000);
  const attempts = await recordChunkFailure(runner.db, held, error.message, retryAt, now);
  if (attempts >= runner.maxAttempts) {
    log.error({ err: error, attempts }, 'import failed: its chunk failed every attempt');
    await failImport(
      runner.db,
      held.id,
      `import stopped after ${attempts} attempts: ${error.message}`,
      now,
    );
    await dropChunks(runner.db, [held.id]);
    return 'failed';
  }
  log.warn({ err: error, attempts }, 'import chunk failed; will retry');
  return 'retry';
}
