// The contact change feed over HTTP: pages, order, labels, resuming, errors, and no gaps while
// four writers commit out of order on separate connections.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import type { ContactView } from '../server/contacts/contact-resource.ts';
import { addLabels, removeLabels } from '../server/contacts/labels/labels.ts';
import { patchContact } from '../server/contacts/patch-contact.ts';
import { findContactById, markContactDeleted } from '../server/contacts/store/contact-rows.ts';
import { upsertContact } from '../server/contacts/upsert-contact.ts';
import { type DB, type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

interface Page {
  items: ContactView[];
  nextCursor: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDialects())('contact change feed on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
  });
  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  const write = <T>(fn: (db: DB, now: number) => Promise<T>, db: DB = server.database.db) =>
    withTransaction({ db, wakeups: noWakeups }, (tx) => fn(tx.db, Date.now()));
  const create = (email: string, db?: DB, fields?: Record<string, unknown>) =>
    write(
      async (trx, now) =>
        (
          await upsertContact(
            trx,
            { email, fields },
            { mode: 'overwrite', newStatus: 'confirmed', source: 'test', now },
          )
        ).contact,
      db,
    );
  const createAll = async (count: number) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push((await create(`c${i}@example.com`)).id);
    return ids;
  };

  const changes = async (cursor?: string, limit?: number): Promise<Page> => {
    const query = new URLSearchParams();
    if (cursor !== undefined) query.set('cursor', cursor);
    if (limit !== undefined) query.set('limit', String(limit));
    const res = await server.api(`/api/v1/contacts/changes?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };
  /**
   * Reads pages until `count` items came and a page comes back empty: the items in order, the page
   * sizes, and where to resume. On PostgreSQL the feed holds back writes while an older
   * transaction is open anywhere on the server (another test file's), so it waits for them.
   */
  const follow = async (cursor: string | undefined, limit = 100, count = 0) => {
    const items: ContactView[] = [];
    const sizes: number[] = [];
    const deadline = Date.now() + 15_000;
    for (;;) {
      const page = await changes(cursor, limit);
      cursor = page.nextCursor;
      items.push(...page.items);
      if (page.items.length > 0) sizes.push(page.items.length);
      else if (items.length >= count || Date.now() > deadline) return { items, sizes, cursor };
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('returns every write once across pages, oldest first, each in its current state', async () => {
    const ids = await createAll(7);
    await write((db, now) => patchContact(db, ids[1] as number, { firstName: 'Bea' }, now));
    await write((db, now) => patchContact(db, ids[4] as number, { firstName: 'Eve' }, now));

    const { items, sizes } = await follow(undefined, 2, 7);
    expect(Math.max(...sizes)).toBe(2);
    const [a, b, c, d, e, f, g] = ids;
    expect(items.map((i) => i.id)).toEqual([a, c, d, f, g, b, e]);
    expect(items.slice(-2).map((i) => i.firstName)).toEqual(['Bea', 'Eve']);
    expect(items[0]).toMatchObject({ email: 'c0@example.com', status: 'confirmed', groups: [] });
  });

  it('moves an updated contact to the end and shows a deletion as status deleted', async () => {
    const [a, b, c] = await createAll(3);
    const { cursor } = await follow(undefined, 100, 3);

    await write((db, now) => patchContact(db, a as number, { fields: { plan: 'pro' } }, now));
    await write(async (db, now) =>
      markContactDeleted(db, (await findContactById(db, b as number)) ?? expect.fail(), now),
    );
    const since = await follow(cursor, 100, 2);
    expect(since.items.map((i) => [i.id, i.status])).toEqual([
      [a, 'confirmed'],
      [b, 'deleted'],
    ]);
    expect(since.items[0]?.fields).toEqual({ plan: 'pro' });
    expect(since.items[1]?.deletedAt).toEqual(expect.any(String));
    expect((await follow(undefined, 100, 3)).items.map((i) => i.id)).toEqual([c, a, b]);
  });

  it('shows group and tag changes, which touch the contact', async () => {
    const [a, b] = (await createAll(2)) as [number, number];
    let { cursor } = await follow(undefined, 100, 2);
    const next = async () => {
      const page = await follow(cursor, 100, 1);
      cursor = page.cursor;
      return page.items.map((i) => ({ id: i.id, groups: i.groups, tags: i.tags }));
    };

    await write((db, now) => addLabels(db, 'group', [a], ['VIP'], now));
    expect(await next()).toEqual([{ id: a, groups: ['VIP'], tags: [] }]);
    await write((db, now) => addLabels(db, 'tag', [b], ['lead'], now));
    expect(await next()).toEqual([{ id: b, groups: [], tags: ['lead'] }]);
    await write((db, now) => removeLabels(db, 'group', [a], ['VIP'], now));
    expect(await next()).toEqual([{ id: a, groups: [], tags: [] }]);
  });

  it('always answers a nextCursor, and a caught-up one resumes later', async () => {
    const empty = await changes();
    expect(empty.items).toEqual([]);
    expect(empty.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await changes(empty.nextCursor)).toEqual(empty);

    const { id } = await create('late@example.com');
    const resumed = await follow(empty.nextCursor, 100, 1);
    expect(resumed.items.map((i) => i.id)).toEqual([id]);
    const caughtUp = await changes(resumed.cursor);
    expect(caughtUp).toEqual({ items: [], nextCursor: resumed.cursor });
  });

  it('refuses a malformed cursor or limit naming it, and needs a key with contacts:read', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const [query, field] of [
      ['cursor=garbage!', 'cursor'],
      [`cursor=${b64('[1]')}`, 'cursor'],
      [`cursor=${b64('[-1,2]')}`, 'cursor'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
    ]) {
      const res = await server.api(`/api/v1/contacts/changes?${query}`);
      expect(res.status, query).toBe(422);
      const body = (await res.json()) as { error: { issues: { field: string }[] } };
      expect(body.error.issues.map((i) => i.field)).toEqual([field]);
    }

    const url = `${server.url}/api/v1/contacts/changes`;
    expect((await fetch(url)).status).toBe(401);
    const { key } = await createApiKey(server.database.db, { name: 'r', scopes: ['events:read'] });
    expect((await fetch(url, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    const reader = await createApiKey(server.database.db, { name: 'c', scopes: ['contacts:read'] });
    const ok = await fetch(url, { headers: { authorization: `Bearer ${reader.key}` } });
    expect(ok.status).toBe(200);
  });

  it('shows every write of 4 concurrent writers while a reader follows the cursor', async () => {
    // On PostgreSQL each writer has its own connection, so transactions commit out of stamp order;
    // SQLite serialises writers on its one connection.
    const handles: OpenDatabase[] =
      dialect === 'postgres' ? Array.from({ length: 4 }, () => openDatabase(database.url)) : [];
    const writerDb = (w: number) => handles[w]?.db ?? server.database.db;
    const TRANSACTIONS = 30;
    /** Every committed transaction, in the order the writers saw their commits return. */
    const commits: { contactIds: number[]; version: number; stamp: number }[] = [];

    // A transaction writes `fields.v = version` on each contact it touches; versions grow per
    // writer and a contact is only written by the writer that created it, so a contact's versions
    // grow in its commit order. Every fourth transaction creates a contact and then stays open a
    // while, so later transactions commit before it; its contact is never written again, so a
    // feed that skips it never gets a second chance to show it.
    const writer = async (w: number) => {
      const own: number[] = [];
      for (let n = 1; n <= TRANSACTIONS; n++) {
        const version = (w + 1) * 1000 + n;
        const held = n % 4 === 0;
        const written = await write(async (trx, now) => {
          const created = (
            await upsertContact(
              trx,
              { email: `w${w}-${n}@example.com`, fields: { v: version } },
              { mode: 'overwrite', newStatus: 'confirmed', source: 'test', now },
            )
          ).contact;
          const ids = [created.id];
          const again = held
            ? []
            : [own[(n * 7) % (own.length || 1)], own[(n * 13) % (own.length || 1)]];
          for (const id of new Set(again.filter((i) => i !== undefined)))
            ids.push((await patchContact(trx, id, { fields: { v: version } }, now)).id);
          if (held) await pause(30 + ((n * 37 + w * 11) % 120));
          return { ids, stamp: created.change_seq };
        }, writerDb(w));
        commits.push({ contactIds: written.ids, version, stamp: written.stamp });
        if (!held) own.push(written.ids[0] as number);
      }
    };

    const seen = new Map<number, number[]>();
    let last: { id: number; v: unknown } | undefined;
    let writersDone = false;
    /** The reader has passed the end of the feed: the newest row is the last item it read. */
    const caughtUp = async () => {
      const end = await server.database.db
        .selectFrom('contacts')
        .select(['id', 'fields'])
        .orderBy('change_seq', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      return last?.id === end.id && last.v === JSON.parse(end.fields).v;
    };
    const reader = async () => {
      let cursor: string | undefined;
      const deadline = Date.now() + 25_000;
      for (;;) {
        const page = await changes(cursor, 7);
        cursor = page.nextCursor;
        for (const item of page.items) {
          seen.set(item.id, [...(seen.get(item.id) ?? []), item.fields.v as number]);
          last = { id: item.id, v: item.fields.v };
        }
        if (page.items.length > 0) continue;
        if (writersDone && (await caughtUp())) return;
        if (Date.now() > deadline) throw new Error('the reader did not catch up within 25 s');
        // An empty page while writes are open (here or in another test): poll again shortly.
        await pause(10);
      }
    };

    try {
      const reading = reader();
      await Promise.all([0, 1, 2, 3].map(writer));
      writersDone = true;
      await reading;
    } finally {
      for (const handle of handles) await handle.close();
    }

    const finalVersion = new Map<number, number>();
    for (const { contactIds, version } of commits)
      for (const id of contactIds) finalVersion.set(id, version);
    expect(finalVersion.size).toBe(4 * TRANSACTIONS);
    // Each contact's last state was seen, and no state was seen twice or after a newer one.
    const missed = [...finalVersion].filter(([id, v]) => seen.get(id)?.at(-1) !== v);
    expect(missed, 'contacts whose last write the reader never saw').toEqual([]);
    const disordered = [...seen].filter(([, vs]) =>
      vs.some((v, i) => i > 0 && v <= (vs[i - 1] as number)),
    );
    expect(disordered, 'contacts seen twice in one state, or going back').toEqual([]);
    expect([...seen.keys()].filter((id) => !finalVersion.has(id))).toEqual([]);

    if (dialect === 'postgres') {
      // The test only means something if commits did land out of stamp order.
      let highest = 0;
      let outOfOrder = 0;
      for (const { stamp } of commits) {
        if (stamp < highest) outOfOrder++;
        highest = Math.max(highest, stamp);
      }
      expect(outOfOrder).toBeGreaterThan(0);
    }
  });
});
