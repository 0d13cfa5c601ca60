// Domain counters (prom-client) that /metrics exposes; code anywhere increments them.
import { Counter } from 'prom-client';
import { processMetrics } from './registry.ts';

/**
 * Counts are split by a few labels of low cardinality (a budget's kind, a refusal's reason: never an
 * address or a domain). Each process counts its own, as Prometheus expects.
 * @example confirmationsPaced.inc({ budget: 'domain' });
 */
function counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  return new Counter<L>({ name, help, labelNames, registers: [processMetrics] });
}

/** Confirmation mails queued for later because a budget was spent (confirm/confirmation-pacing.ts). */
export const confirmationsPaced = counter(
  'subflow_confirmations_paced_total',
  'Confirmation mails queued for later by a per-domain or per-form budget',
  ['budget'],
);

/** Times a confirmation budget started pacing mail (one log line each). */
export const confirmationBudgetTrips = counter(
  'subflow_confirmation_budget_trips_total',
  'Times a per-domain or per-form confirmation budget was reached',
  ['budget'],
);

/** Public subscribes refused for a missing or failed bot check (bot-defence/). */
export const botCheckRefusals = counter(
  'subflow_bot_check_refusals_total',
  'Public subscribes refused by the bot defence, by reason',
  ['reason'],
);

/** Requests a process limited on its own because the shared budget's database did not answer. */
export const rateLimitFallbacks = counter(
  'subflow_rate_limit_fallbacks_total',
  'Requests counted against an in-memory budget because the shared store failed or timed out',
  ['budget'],
);

/** Rows deleted by retention (background/workers/retention.ts), by what they were. */
export const retentionDeletes = counter(
  'subflow_retention_deleted_rows_total',
  'Rows deleted by retention, by kind: events, mail, consents, runs',
  ['kind'],
);
