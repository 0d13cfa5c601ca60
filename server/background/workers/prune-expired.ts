// Deletes rows that only matter until a time has passed: spent challenges, idle mail budgets.
import { pruneSpentChallenges } from '../../bot-defence/spent-challenges.ts';
import { pruneMailBudgets } from '../../confirm/confirmation-pacing.ts';
import type { DB } from '../../db/open-database.ts';
import type { Logger } from '../../logger.ts';
import { BackgroundLoop } from '../loop.ts';

/** Once a minute is plenty: these tables grow by at most a row per subscribe in between. */
const PRUNE_EVERY_MS = 60_000;

/**
 * A loop that keeps the bot defence's tables small; every process runs one (the deletes are
 * idempotent, so several at once only repeat each other's work).
 * @example const loop = pruneExpiredLoop(db, logger); loop.start(); … await loop.stop();
 */
export function pruneExpiredLoop(db: DB, logger: Logger): BackgroundLoop {
  return new BackgroundLoop({
    name: 'prune-expired',
    logger,
    pass: async () => {
      const now = Date.now();
      await pruneSpentChallenges(db, now);
      await pruneMailBudgets(db, now);
      return false;
    },
    idleMs: () => PRUNE_EVERY_MS,
  });
}
