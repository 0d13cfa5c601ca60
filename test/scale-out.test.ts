// Three processes on one PostgreSQL under 2,000 subscribes, one SIGKILLed mid-load and restarted:
// nothing acknowledged is lost, every mail arrives once (by Message-ID), every step runs once, and
// the killed process's claims and timers are taken over by the survivors within seconds.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase } from './helpers/databases.ts';
import { spawnServer } from './helpers/server.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

const SUBSCRIBES = 2_000;
/** Requests in flight at once, across the processes. */
const CONCURRENCY = 16;
/** The victim dies once this many subscribes were acknowledged. */
const KILL_AFTER = 700;
const WAIT_S = 3;
/** The correctness bound of claim takeover (heartbeat 1 s, a crash on this host seen in 2 beats). */
const TAKEOVER_MS = 5_000;

const WORKFLOW = `
name: later
on: subscribeFromApi-newsletter
steps:
  - id: pause
    wait: ${WAIT_S}s
  - id: tag
    add_tags: [later]
`;

const NO_LIMIT = '100000000';

interface Node {
  child: ChildProcess;
  url: string;
}

describe.skipIf(!inject('postgresUrl'))('three processes on one PostgreSQL, one killed', () => {
  let smtp: TestSmtp;
  let check: OpenDatabase;
  let dir: ReturnType<typeof workflowDir>;
  let env: Record<string, string>;
  const nodes: Node[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase('postgres');
    smtp = await new TestSmtp().start();
    dir = workflowDir({ 'later.yaml': WORKFLOW });
    env = {
      DATABASE_URL: database.url,
      SMTP_URL: smtp.url,
      WORKFLOWS_DIR: dir.dir,
      SUBSCRIBE_RATE_LIMIT: NO_LIMIT,
      CHALLENGE_FORM_RATE: NO_LIMIT,
      CHALLENGE_DOMAIN_RATE: NO_LIMIT,
      CONFIRMATIONS_PER_DOMAIN: NO_LIMIT,
      CONFIRMATIONS_PER_FORM: NO_LIMIT,
    };
    nodes.push(...(await Promise.all([spawnServer(env), spawnServer(env), spawnServer(env)])));
    check = openDatabase(database.url, { poolSize: 2 });
  }, 120_000);

  afterAll(async () => {
    for (const { child } of nodes) if (child.exitCode === null) child.kill('SIGKILL');
    await check?.close();
    await smtp?.stop();
    dir?.remove();
  });

  it('loses nothing acknowledged, sends once, runs each step once, takes over in seconds', async () => {
    const acknowledged = new Set<string>();
    let next = 0;
    let sent = 0;
    let killedAt = 0;
    let heldByVictim: { id: number; pc: number }[] = [];
    let victimTimers: number[] = [];
    let restart: Promise<void> | undefined;

    const killOne = async () => {
      const victim = nodes[2] as Node;
      const holder = `%:${victim.child.pid}:%`;
      const now = Date.now();
      // What it holds at the moment it dies, and the timers it set (a sleeping run keeps its last
      // holder's id): the survivors must take both over.
      heldByVictim = await check.db
        .selectFrom('workflow_runs')
        .select(['id', 'pc'])
        .where('locked_by', 'like', holder)
        .where('locked_until', '>', now)
        .execute();
      victimTimers = (
        await check.db
          .selectFrom('workflow_runs')
          .select('id')
          .where('locked_by', 'like', holder)
          .where('status', '=', 'waiting')
          .where('due_at', '>', now)
          .execute()
      ).map((r) => r.id);
      victim.child.kill('SIGKILL');
      killedAt = Date.now();
      restart = spawnServer(env).then((node) => {
        nodes[2] = node;
      });
    };

    const client = async () => {
      while (next < SUBSCRIBES) {
        const email = `scale${next++}@example.com`;
        for (let attempt = 0; ; attempt++) {
          const live = nodes.filter(
            (n) => n.child.exitCode === null && n.child.signalCode === null,
          );
          const node = live[(sent++ + attempt) % live.length] as Node;
          const res = await fetch(`${node.url}/v1/forms/newsletter/subscribe`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email }),
          }).catch(() => undefined);
          // Read to the end, so the keep-alive connection is free for the next request.
          await res?.arrayBuffer().catch(() => undefined);
          if (res?.status === 202) {
            acknowledged.add(email);
            break;
          }
          // A connection to the killed process: the client tries another one, as a browser would not,
          // but a load balancer does.
          if (attempt > 20) throw new Error(`subscribe of ${email} failed: ${res?.status}`);
        }
        if (acknowledged.size === KILL_AFTER && !killedAt) await killOne();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    await restart;
    expect(acknowledged.size).toBe(SUBSCRIBES);

    // Every acknowledged subscribe is a contact.
    const contacts = await check.db.selectFrom('contacts').select('email').execute();
    const emails = new Set(contacts.map((c) => c.email));
    expect([...acknowledged].filter((e) => !emails.has(e))).toEqual([]);

    // Settled: every run finished, every mail accepted by SMTP.
    await until(async () => {
      const open = await check.db
        .selectFrom('workflow_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['running', 'waiting'])
        .executeTakeFirstOrThrow();
      const pending = await check.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      const undispatched = await check.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dispatched_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(open.n) + Number(pending.n) + Number(undispatched.n) === 0;
    }, 60_000);

    // Every mail reached the SMTP server, each exactly once counting one Message-ID once.
    const byAddress = new Map<string, Map<string, Set<string>>>();
    for (const mail of smtp.mails) {
      const subjects = byAddress.get(mail.to) ?? new Map<string, Set<string>>();
      byAddress.set(mail.to, subjects);
      const ids = subjects.get(mail.subject) ?? new Set<string>();
      subjects.set(mail.subject, ids);
      ids.add(mail.messageId);
    }
    const wrong: string[] = [];
    for (const email of acknowledged) {
      const subjects = byAddress.get(email);
      const confirmations = subjects?.get('Please confirm your subscription')?.size ?? 0;
      if (confirmations !== 1 || subjects?.size !== 1) {
        wrong.push(`${email}: ${confirmations} confirmation(s), ${subjects?.size ?? 0} subject(s)`);
      }
    }
    expect(wrong).toEqual([]);

    // Every run completed, and did each of its steps once (the tag too: no contact lacks it).
    const tagged = await check.db
      .selectFrom('contact_tags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(tagged.n)).toBe(SUBSCRIBES);
    const runs = await check.db.selectFrom('workflow_runs').select(['id', 'status']).execute();
    expect(runs).toHaveLength(SUBSCRIBES);
    expect(runs.filter((r) => r.status !== 'completed')).toEqual([]);
    const steps = await check.db
      .selectFrom('workflow_steps')
      .select(['run_id', 'step_id', 'status', 'attempts', 'output', 'started_at', 'finished_at'])
      .execute();
    expect(steps).toHaveLength(SUBSCRIBES * 2);
    expect(steps.filter((s) => s.status !== 'completed' || s.attempts !== 1)).toEqual([]);

    // The timers the victim had set fire within the bound of their due time, in the survivors.
    const waits = steps.filter((s) => s.step_id === 'pause');
    expect(waits).toHaveLength(SUBSCRIBES);
    const lateness = (s: (typeof waits)[number]) =>
      Number(s.finished_at) - (JSON.parse(String(s.output)) as { until: number }).until;
    expect(victimTimers.length).toBeGreaterThan(0);
    const late = waits
      .filter((s) => victimTimers.includes(s.run_id))
      .map((s) => ({ run: s.run_id, lateMs: lateness(s) }))
      .filter((s) => s.lateMs > TAKEOVER_MS);
    expect(late).toEqual([]);
    // Runs the victim held when it died were taken up again by a survivor within the bound.
    const takenOver = heldByVictim.map(({ id, pc }) => {
      const step = steps.find((s) => s.run_id === id && s.step_id === ['pause', 'tag'][pc]);
      return { run: id, afterKillMs: Number(step?.started_at) - killedAt };
    });
    expect(takenOver.filter((t) => !(t.afterKillMs <= TAKEOVER_MS))).toEqual([]);
  }, 600_000);
});
