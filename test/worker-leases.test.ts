// Claims of a dead process are freed in seconds, a live one's never: heartbeats, reaping, restarts.
import type { ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerRegistry } from '../server/background/worker-registry.ts';
import { reapDeadWorkers } from '../server/background/workers/reap-dead-workers.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { createLogger } from '../server/logger.ts';
import { claimDueMail } from '../server/mail/outbox/claim-due-mail.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { freePort, spawnServer } from './helpers/server.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

const logger = createLogger('silent');

/** A TCP server that accepts connections and never answers: a send to it hangs mid-attempt. */
async function blackHole(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.each(testDialects())('worker leases on %s', (dialect) => {
  let database: TestDatabase;
  let open: OpenDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    open = openDatabase(database.url);
    await migrateToLatest(open.db, open.dialect);
  });

  afterEach(async () => {
    await open.close();
    await database.drop();
  });

  const queueMail = async (n: number, now: number) => {
    for (let i = 0; i < n; i++) {
      await open.db
        .insertInto('outbox')
        .values({
          kind: 'test',
          idempotency_key: `lease-test-${i}`,
          contact_id: null,
          to_address: `m${i}@example.com`,
          subject: 's',
          text_body: 't',
          html_body: 'h',
          headers: '{}',
          status: 'pending',
          next_attempt_at: now,
          created_at: now,
        })
        .execute();
    }
  };
  const addWorker = (id: string, heartbeatAt: number, pid = 1) =>
    open.db
      .insertInto('workers')
      .values({ id, host: 'other-host', pid, started_at: heartbeatAt, heartbeat_at: heartbeatAt })
      .execute();
  const holders = async () =>
    (await open.db.selectFrom('outbox').select('locked_by').orderBy('id').execute()).map(
      (r) => r.locked_by,
    );
  const claim = (workerId: string, now: number) =>
    claimDueMail(open.db, open.dialect, { now, leaseMs: 60_000, limit: 10, workerId });

  it("frees a silent worker's claims once its heartbeat is stale, and never a live one's", async () => {
    const t0 = 1_000_000;
    await queueMail(4, t0);
    await addWorker('live', t0);
    await addWorker('dead', t0);
    expect(await claim('live', t0).then((rows) => rows.length)).toBe(4);
    await open.db.updateTable('outbox').set({ locked_by: 'dead' }).where('id', '>', 2).execute();

    const opts = { staleMs: 10_000, isGone: () => false };
    // Both are within the stale window: nothing is touched.
    expect(await reapDeadWorkers(open.db, { ...opts, now: t0 + 9_000 })).toEqual({
      workers: [],
      released: 0,
    });
    // `live` heartbeats, `dead` does not.
    await open.db
      .updateTable('workers')
      .set({ heartbeat_at: t0 + 9_000 })
      .where('id', '=', 'live')
      .execute();
    const reaped = await reapDeadWorkers(open.db, { ...opts, now: t0 + 11_000 });
    expect(reaped).toEqual({ workers: ['dead'], released: 2 });
    expect(await holders()).toEqual(['live', 'live', null, null]);
    // The freed rows are claimable at once, well before their 60 s lease would have run out.
    expect((await claim('live', t0 + 11_000)).map((r) => r.id).sort()).toEqual([3, 4]);
  });

  it('frees at once the claims of a worker whose process on this host is gone', async () => {
    const now = Date.now();
    await queueMail(2, now);
    await addWorker('crashed', now, 4_000_000);
    await claim('crashed', now);
    const reaped = await reapDeadWorkers(open.db, {
      now,
      staleMs: 10_000,
      isGone: (w) => w.pid === 4_000_000,
    });
    expect(reaped).toEqual({ workers: ['crashed'], released: 2 });
  });

  it('frees claims held by an id that is not registered (reaped while stalled)', async () => {
    const now = Date.now();
    await queueMail(1, now);
    await claim('ghost', now);
    expect(await reapDeadWorkers(open.db, { now, staleMs: 10_000, isGone: () => false })).toEqual({
      workers: [],
      released: 1,
    });
  });

  it('registers, heartbeats, re-registers when presumed dead, and releases on stop', async () => {
    const registry = await WorkerRegistry.start({
      db: open.db,
      logger,
      heartbeatMs: 50,
      staleMs: 5_000,
    });
    const row = () =>
      open.db.selectFrom('workers').selectAll().where('id', '=', registry.id).executeTakeFirst();
    const first = await row();
    expect(first).toMatchObject({ pid: process.pid });
    await until(async () => ((await row())?.heartbeat_at ?? 0) > (first?.heartbeat_at ?? 0));

    await open.db.deleteFrom('workers').execute();
    await until(async () => (await row()) !== undefined);

    await queueMail(1, Date.now());
    await claim(registry.id, Date.now());
    await registry.stop();
    expect(await row()).toBeUndefined();
    expect(await holders()).toEqual([null]);
  });

  it('sends the mail a SIGKILLed process was sending, within seconds of the restart', async () => {
    const smtpPort = await freePort();
    const hole = await blackHole(smtpPort);
    const env = { DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` };
    let child: ChildProcess | undefined;
    const smtp = new TestSmtp();
    try {
      const first = await spawnServer(env);
      child = first.child;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${first.url}/v1/forms/newsletter/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `crash${i}@example.com` }),
        });
        expect(res.status).toBe(202);
      }
      // Mail is claimed and stuck in an SMTP conversation that never answers.
      await until(async () => {
        const rows = await open.db.selectFrom('outbox').select(['locked_by']).execute();
        return rows.some((r) => r.locked_by !== null);
      });
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
      await hole.close();
      await smtp.start(smtpPort);

      child = (await spawnServer(env)).child;
      // The claims' 60 s leases are far from over; only the restart's reaping lets these out.
      for (let i = 0; i < 5; i++) await smtp.waitForMail(`crash${i}@example.com`, 15_000);
      await until(async () => {
        const rows = await open.db.selectFrom('outbox').select('status').execute();
        return rows.every((r) => r.status === 'sent');
      });
      for (let i = 0; i < 5; i++) expect(smtp.mailsTo(`crash${i}@example.com`)).toHaveLength(1);
    } finally {
      child?.kill('SIGKILL');
      await hole.close().catch(() => {});
      await smtp.stop();
    }
  });

  it('resumes a workflow run a SIGKILLed process held mid-webhook, within seconds', async () => {
    let hang = true;
    const calls: string[] = [];
    const hook: HttpServer = createHttpServer((req, res) => {
      calls.push(req.url ?? '');
      if (!hang) res.end('ok');
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    const dir = workflowDir({
      'notify.yaml': `
name: notify
on: subscribeFromApi-newsletter
steps:
  - webhook: { url: "${hookUrl}", method: POST, timeout: 60s }
  - add_tags: [notified]
`,
    });
    const env = {
      DATABASE_URL: database.url,
      WORKFLOWS_DIR: dir.dir,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    };
    let child: ChildProcess | undefined;
    try {
      const first = await spawnServer(env);
      child = first.child;
      await fetch(`${first.url}/v1/forms/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'hook@example.com' }),
      });
      await until(async () => calls.length === 1);
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
      hang = false;

      child = (await spawnServer(env)).child;
      // The run's lease (2 min) is far from over; only the restart's reaping lets it go on.
      const run = await until(async () => {
        const r = await open.db.selectFrom('workflow_runs').selectAll().executeTakeFirst();
        return r?.status === 'completed' ? r : undefined;
      }, 15_000);
      expect(run.locked_until).toBeNull();
      expect(calls.length).toBe(2);
    } finally {
      child?.kill('SIGKILL');
      hook.closeAllConnections();
      await new Promise((r) => hook.close(r));
      dir.remove();
    }
  });
});
