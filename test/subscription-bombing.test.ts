// Subscription bombing at one domain: 1,000 made-up addresses in a burst. The domain's confirmation
// budget holds, and every mail still goes out, later, at the budget's pace — on each dialect.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../server/config.ts';
import { paceConfirmation } from '../server/confirm/confirmation-pacing.ts';
import { confirmationBudgetTrips, confirmationsPaced } from '../server/metrics/counters.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { counterValue } from './helpers/metrics.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';
import { TestSmtp } from './helpers/smtp.ts';

const ADDRESSES = 1000;
/**
 * 100 mails per 2 s window: one every 20 ms after a burst of 10 (a tenth of the budget), slower
 * than the posts arrive, so the budget paces most of them and the last goes out ~20 s later.
 */
const PER_WINDOW = 100;
const WINDOW_MS = 2000;
const PACE_MS = WINDOW_MS / PER_WINDOW;
const BURST = PER_WINDOW / 10;
/** Each batch of posts arrives at once, more than the burst: some mail is paced however slow the box. */
const CONCURRENCY = 25;

describe.each(testDialects())('subscription bombing on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    server = await startTestServer(
      {
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        CONFIRMATIONS_PER_DOMAIN: String(PER_WINDOW),
        CONFIRMATIONS_PER_FORM: '1000000',
      },
      { confirmationBudgetWindowMs: WINDOW_MS },
    );
    // This test is about the mail budget: an adaptive form would start asking for proofs of work.
    const res = await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ botDefence: { challenge: 'off' } }),
    });
    expect(res.status).toBe(200);
  });

  afterEach(async () => {
    await server.close();
    await smtp.stop();
    await database.drop();
  });

  it(`holds the domain budget for ${ADDRESSES} addresses at one domain and loses no mail`, async () => {
    const paced = await counterValue(confirmationsPaced, { budget: 'domain' });
    const trips = await counterValue(confirmationBudgetTrips, { budget: 'domain' });
    const emails = Array.from({ length: ADDRESSES }, (_, i) => `victim${i}@bombed.example`);
    const statuses: number[] = [];
    for (let i = 0; i < emails.length; i += CONCURRENCY) {
      const batch = emails.slice(i, i + CONCURRENCY);
      const answers = await Promise.all(
        batch.map((email) => server.subscribe('newsletter', { email })),
      );
      statuses.push(...answers.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 202)).toEqual([]);

    // Every mail is queued, none dropped; when each may go follows the budget.
    const db = server.database.db;
    const rows = await db
      .selectFrom('outbox')
      .select(['to_address', 'next_attempt_at', 'created_at'])
      .where('to_address', 'like', '%@bombed.example')
      .orderBy('next_attempt_at')
      .execute();
    expect(rows).toHaveLength(ADDRESSES);
    const due = rows.map((r) => r.next_attempt_at);
    // Any window holds at most the burst plus what the pace lets through in it.
    for (let i = 0; i < due.length; i++) {
      const inWindow = due.filter((t) => t >= (due[i] ?? 0) && t < (due[i] ?? 0) + WINDOW_MS);
      expect(inWindow.length).toBeLessThanOrEqual(BURST + PER_WINDOW);
    }
    // So the last goes out no sooner than the budget allows: mail was held back, not sent at once.
    const first = Math.min(...rows.map((r) => r.created_at));
    expect((due.at(-1) ?? 0) - first).toBeGreaterThanOrEqual((ADDRESSES - BURST) * PACE_MS);
    // The metric and the log line's counter saw it.
    expect((await counterValue(confirmationsPaced, { budget: 'domain' })) - paced).toBeGreaterThan(
      0,
    );
    expect(
      (await counterValue(confirmationBudgetTrips, { budget: 'domain' })) - trips,
    ).toBeGreaterThan(0);

    // Nothing lost: every queued mail reaches SMTP, none before its time.
    await waitForDrainedOutbox(db, 60_000);
    const sent = await db
      .selectFrom('outbox')
      .select(['status', 'sent_at', 'next_attempt_at'])
      .where('to_address', 'like', '%@bombed.example')
      .execute();
    expect(sent.filter((r) => r.status !== 'sent')).toEqual([]);
    for (const row of sent) expect(row.sent_at).toBeGreaterThanOrEqual(row.next_attempt_at);
    const received = new Set(smtp.mails.map((m) => m.to));
    expect(emails.filter((e) => !received.has(e))).toEqual([]);
  }, 120_000);

  it('logs one warning when a budget starts pacing, naming the budget and until when', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const timings = {
      ...defaultTimings,
      confirmationsPerDomain: 10,
      confirmationBudgetWindowMs: 1000,
    };
    const now = Date.now();
    const sendAts: number[] = [];
    for (let i = 0; i < 5; i++) {
      sendAts.push(
        await paceConfirmation(server.database.db, {
          domain: 'logged.example',
          formType: null,
          timings,
          now,
          logger,
        }),
      );
    }
    // A burst of one (a tenth of 10), then one every 100 ms.
    expect(sendAts).toEqual([now, now + 100, now + 200, now + 300, now + 400]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 40,
        budget: 'domain',
        domain: 'logged.example',
        perHour: 36_000,
        queuedUntil: new Date(now + 100).toISOString(),
        msg: 'confirmation budget of domain logged.example reached: further mail is queued at its pace',
      }),
    ]);
  });
});
