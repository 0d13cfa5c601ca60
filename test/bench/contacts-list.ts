// Contacts list with a field filter: `GET /api/v1/contacts?field.plan=<v>&limit=100` over 100,000
// contacts with a defined `plan` field (so its expression index exists), one request at a time.
import { performance } from 'node:perf_hooks';
import { openContactsDb } from './contacts-db.ts';
import { type BenchModule, withSubflow } from './context.ts';
import type { ServerChild } from './processes.ts';
import type { Measurement } from './report.ts';
import { ascending, percentile } from './stats.ts';

const CONTACTS = 100_000;
const PLANS = 20;
const PLAN_VALUES = Array.from({ length: PLANS }, (_, i) => `plan${i}`);
const PAGE = 100;
/** Runs of the bare SQL from the bench process: the database's share of a request. */
const SQL_RUNS = 400;
const API_KEY = 'bench-contacts-list-key-0123456789';

interface Sample {
  ms: number;
  /** Null when the answer was a full page of contacts that all hold the value asked for. */
  problem: string | null;
}

/** One timed request; the body is read inside the timing and checked after it. */
async function listPage(server: ServerChild, value: string): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(`${server.url}/api/v1/contacts?field.plan=${value}&limit=${PAGE}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) return { ms, problem: `answered ${res.status}` };
  const { items } = JSON.parse(Buffer.from(body).toString()) as {
    items: { fields: { plan?: unknown } }[];
  };
  if (items.length !== PAGE) return { ms, problem: `${items.length} items, not ${PAGE}` };
  const wrong = items.find((c) => c.fields.plan !== value);
  return { ms, problem: wrong ? `a contact with plan ${String(wrong.fields.plan)}` : null };
}

/** Requests one after another for `seconds`, cycling through the plan values. */
async function requestsFor(server: ServerChild, seconds: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const until = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < until; i++) {
    samples.push(await listPage(server, PLAN_VALUES[i % PLANS] as string));
  }
  return samples;
}

async function definePlan(server: ServerChild): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server.url}/api/v1/fields`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key: 'plan', type: 'enum', options: PLAN_VALUES }),
  });
  if (res.status !== 201) throw new Error(`POST /api/v1/fields answered ${res.status}`);
  return performance.now() - started;
}

export const contactsListBench: BenchModule = {
  name: 'contacts-list',
  async run(ctx) {
    const rows: Measurement[] = [];
    for (const database of ctx.databases) {
      const section = `contacts list (${database.label})`;
      // The target holds on SQLite, as for subscribe; PostgreSQL is shown.
      const judged = database.label === 'sqlite';
      const use = async (server: ServerChild, url: string): Promise<Measurement[]> => {
        const seeder = openContactsDb(url);
        try {
          ctx.progress(`${server.name}: seeding ${CONTACTS} contacts`);
          await seeder.seed(CONTACTS, PLANS);
        } finally {
          await seeder.close();
        }
        const defineMs = await definePlan(server);
        // Opened after the index exists: SQLite explains with the schema a connection has loaded.
        const db = openContactsDb(url);
        try {
          const plan = await db.plan('plan', 'plan7');
          const values = Array.from(
            { length: SQL_RUNS },
            (_, i) => PLAN_VALUES[i % PLANS] as string,
          );
          const sqlTimes = await db.timeFieldQuery('plan', values);
          ctx.progress(
            `${server.name}: field filter, warm-up ${ctx.warmupS} s, then ${ctx.measureS} s`,
          );
          await requestsFor(server, ctx.warmupS);
          const samples = await requestsFor(server, ctx.measureS);
          const times = ascending(samples.map((s) => s.ms));
          const problems = samples.filter((s) => s.problem !== null);
          const what = `GET /api/v1/contacts?field.plan=…&limit=${PAGE}, ${CONTACTS.toLocaleString('en')} contacts`;
          return [
            {
              section,
              name: `${what}: p95`,
              // A page that is not a right page is no measurement of the list.
              value: problems.length === samples.length ? Number.NaN : percentile(times, 95),
              unit: 'ms',
              target: judged ? { op: '<', limit: 50 } : undefined,
              note: `p50 ${percentile(times, 50).toFixed(1)} ms over ${samples.length} requests, one at a time`,
            },
            {
              section,
              name: 'field filter: wrong or failed answers',
              value: problems.length,
              unit: 'count',
              target: { op: '<=', limit: 0 },
              note: problems[0]?.problem ?? undefined,
            },
            {
              section,
              name: 'the same SQL from the bench process: p95',
              value: percentile(sqlTimes, 95),
              unit: 'ms',
              note: `p50 ${percentile(sqlTimes, 50).toFixed(1)} ms; plan: ${plan}`,
            },
            {
              section,
              name: `POST /api/v1/fields plan over ${CONTACTS.toLocaleString('en')} contacts`,
              value: defineMs,
              unit: 'ms',
              note: 'checks every stored value, builds the index',
            },
          ];
        } finally {
          await db.close();
        }
      };
      rows.push(
        ...(await withSubflow(ctx, database, 'contacts_list', use, { BOOTSTRAP_API_KEY: API_KEY })),
      );
    }
    return rows;
  },
};
