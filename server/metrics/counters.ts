// In-process counters, by name and labels, for the /metrics endpoint (Prometheus text) to expose.

type Labels = Record<string, string>;

/**
 * A monotonic count, split by a few labels of low cardinality (a budget's kind, a refusal's
 * reason: never an address or a domain). Each process counts its own, as Prometheus expects.
 * @example mailsPaced.inc({ budget: 'domain' }); mailsPaced.value({ budget: 'domain' }) // 1
 */
export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }

  value(labels: Labels = {}): number {
    return this.entries().find((e) => sameLabels(e.labels, labels))?.value ?? 0;
  }

  entries(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Every counter, in the order registered: what /metrics will print. */
export const counters: Counter[] = [];

export function counter(name: string, help: string): Counter {
  const created = new Counter(name, help);
  counters.push(created);
  return created;
}

/** Confirmation mails queued for later because a budget was spent (confirm/confirmation-pacing.ts). */
export const confirmationsPaced = counter(
  'subflow_confirmations_paced_total',
  'Confirmation mails queued for later by a per-domain or per-form budget',
);

/** Times a confirmation budget started pacing mail (one log line each). */
export const confirmationBudgetTrips = counter(
  'subflow_confirmation_budget_trips_total',
  'Times a per-domain or per-form confirmation budget was reached',
);

/** Public subscribes refused for a missing or failed bot check (bot-defence/). */
export const botCheckRefusals = counter(
  'subflow_bot_check_refusals_total',
  'Public subscribes refused by the bot defence, by reason',
);
