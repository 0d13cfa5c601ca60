// A mail still on its way to SMTP when its lease runs out: must not be claimed and sent again.
import { afterEach, describe, expect, it } from 'vitest';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';
import { queueMail, senderFor, slowSmtp } from './helpers/mail-fixtures.ts';
import { until } from './helpers/workflow-dir.ts';

/** A lease short enough for a slow SMTP server to outlive it. */
const SHORT_LEASE = { mailLeaseMs: 1_500, mailPollMs: 100 };

describe.each(testDialects())('a lease running out mid-send on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  // With the default 60 s lease the same happens to a mail queued in the SMTP pool behind others
  // on a server that answers each message in ~15 s (each reply within the 20 s socket timeout):
  // nothing bounds how long a claimed row waits in the pool, so its lease can expire mid-send.
  it('sends each mail once although its send outlives the lease', async () => {
    const { db } = current();
    const smtp = await slowSmtp(700);
    const emails = Array.from({ length: 30 }, (_, i) => `slow${i}@example.com`);
    await queueMail(db, emails);
    const sender = senderFor(current(), smtp.url, 'w1', SHORT_LEASE);
    stop = async () => {
      await sender.stop();
      await smtp.stop();
    };
    sender.start();
    await until(async () => {
      const left = await db
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      return left.length === 0;
    }, 20_000);
    await sender.stop();
    const twice = emails.filter((to) => (smtp.received.get(to) ?? 0) !== 1);
    expect(twice).toEqual([]);
  });
});

describe.each(testDialects())('stopping while sends outlive the lease on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);

  // stop() waits for the sends under way (SIGTERM), but its loop no longer renews their leases;
  // a peer process then takes the rows whose lease ran out and sends them again.
  it('keeps its sends leased while stopping, so a peer sends none of them again', async () => {
    const { db } = current();
    const smtp = await slowSmtp(700);
    const emails = Array.from({ length: 30 }, (_, i) => `stopping${i}@example.com`);
    await queueMail(db, emails);
    const stopping = senderFor(current(), smtp.url, 'w1', SHORT_LEASE);
    const peer = senderFor(current(), smtp.url, 'w2', SHORT_LEASE);
    try {
      await stopping.drainOnce();
      const stopped = stopping.stop();
      peer.start();
      await stopped;
      await until(async () => {
        const left = await db.selectFrom('outbox').select('id').where('status', '=', 'pending');
        return (await left.execute()).length === 0;
      }, 20_000);
    } finally {
      await peer.stop();
      await smtp.stop();
    }
    const twice = emails.filter((to) => (smtp.received.get(to) ?? 0) !== 1);
    expect(twice).toEqual([]);
  });
});
