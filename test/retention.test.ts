// Retention: what is old and finished goes in batches; what anything still needs stays, on both engines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRetention, type RetentionPolicy } from '../server/background/workers/retention.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import type { OutboxStatus, RunStatus } from '../server/db/schema.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';

const DAY = 24 * 3600_000;
const NOW = 1_000 * DAY;
const OLD = NOW - 100 * DAY;
const RECENT = NOW - DAY;
const POLICY: RetentionPolicy = {
  eventsDays: 90,
  mailDays: 30,
  activitiesDays: 30,
  consentsDays: 30,
  runsDays: 30,
};
const KEEP_ALL: RetentionPolicy = {
  eventsDays: 0,
  mailDays: 0,
  activitiesDays: 0,
  consentsDays: 0,
  runsDays: 0,
};

describe.each(testDialects())('retention on %s', (dialect) => {
  let database: TestDatabase;
  let open: OpenDatabase;
  let seq = 0;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    open = openDatabase(database.url);
    await migrateToLatest(open.db, open.dialect);
  });
  afterEach(async () => {
    await open.close();
    await database.drop();
  });

  const apply = (policy: RetentionPolicy, loaded: number[] = []) =>
    applyRetention(
      { db: open.db, dialect: open.dialect, policy, loadedVersionIds: () => loaded, batch: 10 },
      NOW,
    );
  const ids = async (
    table: 'events' | 'outbox' | 'activities' | 'consents' | 'workflow_runs' | 'dev_mailbox',
  ) => (await open.db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);

  const contact = async (state: { deletedAt?: number; erased?: boolean } = {}): Promise<number> => {
    seq++;
    const erased = state.erased === true;
    const row = await open.db
      .insertInto('contacts')
      .values({
        email: erased ? null : `c${seq}@example.com`,
        phone: null,
        phone_meta: null,
        external_id: null,
        first_name: null,
        last_name: null,
        address: null,
        fields: '{}',
        status: state.deletedAt === undefined ? 'confirmed' : 'deleted',
        source: 'test',
        email_confirmed_at: null,
        unsubscribed_at: null,
        created_at: OLD,
        updated_at: OLD,
        deleted_at: state.deletedAt ?? null,
        status_before_delete: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const event = async (contactId: number | null, createdAt: number, dispatched = true) =>
    (
      await open.db
        .insertInto('events')
        .values({
          type: 'subscribeFromApi',
          key: String(contactId),
          contact_id: contactId,
          params: '{}',
          created_at: createdAt,
          dispatched_at: dispatched ? createdAt : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const mail = async (status: OutboxStatus, createdAt: number, sentAt: number | null = null) =>
    (
      await open.db
        .insertInto('outbox')
        .values({
          kind: 'confirmation',
          idempotency_key: `mail-${++seq}`,
          contact_id: null,
          to_address: 'a@example.com',
          subject: 's',
          text_body: 't',
          html_body: 'h',
          headers: '{}',
          status,
          next_attempt_at: createdAt,
          created_at: createdAt,
          sent_at: sentAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const consent = async (contactId: number) =>
    (
      await open.db
        .insertInto('consents')
        .values({
          contact_id: contactId,
          kind: 'subscribe',
          form_type: 'newsletter',
          ip: null,
          user_agent: null,
          created_at: OLD,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const version = async (createdAt: number) =>
    (
      await open.db
        .insertInto('workflow_versions')
        .values({ name: 'w', version: `v${++seq}`, definition: '{}', created_at: createdAt })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const run = async (
    versionId: number,
    contactId: number | null,
    status: RunStatus,
    finishedAt: number | null,
  ) =>
    (
      await open.db
        .insertInto('workflow_runs')
        .values({
          workflow: 'w',
          version_id: versionId,
          contact_id: contactId,
          trigger_event_id: 1,
          exclusive: 0,
          status,
          state: '{}',
          created_at: OLD,
          updated_at: OLD,
          finished_at: finishedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  it('deletes old dispatched events, window after window, and keeps what the engine still needs', async () => {
    const quiet = await contact();
    const waiting = await contact();
    const v = await version(OLD);
    await run(v, waiting, 'waiting', null);
    // 25 old events over three windows of 10, then the ones that must stay.
    for (let i = 0; i < 25; i++) await event(quiet, OLD);
    const undispatched = await event(quiet, OLD, false);
    const ofWaitingRun = await event(waiting, OLD);
    const recent = await event(quiet, RECENT);

    expect((await apply(POLICY)).events).toBe(25);
    expect(await ids('events')).toEqual([undispatched, ofWaitingRun, recent]);
    expect((await apply(POLICY)).events).toBe(0);
  });

  // Several processes share PostgreSQL; SQLite is one process (in one, three connections would
  // block each other's synchronous writes, which no deployment does).
  it.skipIf(dialect === 'sqlite')(
    'lets several processes prune at once: each row goes once, and none of them fails',
    async () => {
      const quiet = await contact();
      for (let i = 0; i < 45; i++) await event(quiet, OLD);
      for (let i = 0; i < 35; i++) await mail('sent', OLD, OLD);
      const recent = await event(quiet, RECENT);
      // A second and a third handle on the same database: processes of their own as far as the
      // database can tell (their own connections, and on PostgreSQL their own advisory locks).
      const peers = [openDatabase(database.url), openDatabase(database.url)];
      try {
        const passes = await Promise.all(
          [open, ...peers].map((handle) =>
            applyRetention(
              {
                db: handle.db,
                dialect: handle.dialect,
                policy: POLICY,
                loadedVersionIds: () => [],
                batch: 10,
              },
              NOW,
            ),
          ),
        );
        expect(passes.reduce((n, p) => n + p.events, 0)).toBe(45);
        expect(passes.reduce((n, p) => n + p.mail, 0)).toBe(35);
      } finally {
        for (const peer of peers) await peer.close();
      }
      expect(await ids('events')).toEqual([recent]);
      expect(await ids('outbox')).toEqual([]);
    },
  );

  it('deletes old sent, failed and cancelled mail with its dev mailbox copies, never pending mail', async () => {
    const sent = await mail('sent', OLD, OLD);
    await mail('failed', OLD);
    await mail('cancelled', OLD);
    const pending = await mail('pending', OLD);
    const sentLate = await mail('sent', OLD, RECENT);
    const recent = await mail('sent', RECENT, RECENT);
    for (const [outboxId, createdAt] of [
      [sent, OLD],
      [recent, RECENT],
    ] as const) {
      await open.db
        .insertInto('dev_mailbox')
        .values({
          outbox_id: outboxId,
          message_id: `<${outboxId}@test>`,
          from_address: 'f@example.com',
          to_address: 'a@example.com',
          subject: 's',
          text_body: 't',
          html_body: 'h',
          headers: '{}',
          created_at: createdAt,
        })
        .execute();
    }

    expect((await apply(POLICY)).mail).toBe(3);
    expect(await ids('outbox')).toEqual([pending, sentLate, recent]);
    expect(
      (await open.db.selectFrom('dev_mailbox').select('outbox_id').execute()).map(
        (r) => r.outbox_id,
      ),
    ).toEqual([recent]);
  });

  it('deletes the consents of contacts erased long ago, and no one else’s', async () => {
    const erasedLongAgo = await contact({ deletedAt: OLD, erased: true });
    const erasedRecently = await contact({ deletedAt: RECENT, erased: true });
    const deletedNotErased = await contact({ deletedAt: OLD });
    const live = await contact();
    for (let i = 0; i < 12; i++) await consent(erasedLongAgo);
    const kept = [
      await consent(erasedRecently),
      await consent(deletedNotErased),
      await consent(live),
    ];

    expect((await apply(POLICY)).consents).toBe(12);
    expect(await ids('consents')).toEqual(kept);
  });

  it('deletes mail activities older than the period, in batches', async () => {
    const activity = async (createdAt: number) =>
      (
        await open.db
          .insertInto('activities')
          .values({
            action: 'opened',
            contact_id: null,
            outbox_id: null,
            message_id: null,
            email: 'gone@example.com',
            workflow: null,
            step: null,
            url: null,
            detail: null,
            created_at: createdAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    for (let i = 0; i < 25; i++) await activity(OLD);
    const kept = [await activity(RECENT), await activity(NOW)];

    expect((await apply(POLICY)).activities).toBe(25);
    expect(await ids('activities')).toEqual(kept);
  });

  it('deletes old finished runs with their steps, and versions nothing uses or loads', async () => {
    const [used, loaded, unused, young] = [
      await version(OLD),
      await version(OLD),
      await version(OLD),
      await version(RECENT),
    ];
    const old = await run(unused, null, 'completed', OLD);
    await run(unused, null, 'failed', OLD);
    const recent = await run(used, null, 'completed', RECENT);
    const waiting = await run(used, null, 'waiting', null);
    await open.db
      .insertInto('workflow_steps')
      .values({
        run_id: old,
        step_id: 's',
        iteration: 0,
        op: 'stop',
        status: 'completed',
        started_at: OLD,
      })
      .execute();

    expect((await apply(POLICY, [loaded])).runs).toBe(2);
    expect(await ids('workflow_runs')).toEqual([recent, waiting]);
    expect(await open.db.selectFrom('workflow_steps').selectAll().execute()).toEqual([]);
    const versions = await open.db
      .selectFrom('workflow_versions')
      .select('id')
      .orderBy('id')
      .execute();
    expect(versions.map((r) => r.id)).toEqual([used, loaded, young]);
  });

  it('keeps everything when every retention is 0', async () => {
    const c = await contact({ deletedAt: OLD, erased: true });
    await event(c, OLD);
    await mail('sent', OLD, OLD);
    await consent(c);
    await run(await version(OLD), null, 'completed', OLD);

    expect(await apply(KEEP_ALL)).toEqual({
      events: 0,
      mail: 0,
      activities: 0,
      consents: 0,
      runs: 0,
    });
    for (const table of ['events', 'outbox', 'consents', 'workflow_runs'] as const)
      expect(await ids(table)).toHaveLength(1);
  });
});
