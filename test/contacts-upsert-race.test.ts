// A create-or-update (POST /contacts) that found a contact by an email which a concurrent write is
// taking away from it (PostgreSQL: row locks, transactions committing while others wait).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { patchContact } from '../server/contacts/patch-contact.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { namedConnections, waitingForLock } from './helpers/bare-engine.ts';
import { type ContactJson, saveContact, send } from './helpers/contacts.ts';
import { createTestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer } from './helpers/server.ts';

const API_SIDE = 'upsert-race-api';

describe.each(testDialects())('create-or-update beside an email change on %s', (dialect) => {
  it.runIf(dialect === 'postgres')(
    'does not write the old email back over a change committed while it waited',
    async () => {
      const database = await createTestDatabase(dialect);
      const server = await startTestServer({
        DATABASE_URL: namedConnections(database.url, API_SIDE),
      });
      let side: OpenDatabase | undefined;
      try {
        const old = `old-${randomBytes(4).toString('hex')}@example.com`;
        const moved = `new-${randomBytes(4).toString('hex')}@example.com`;
        const { id } = await saveContact(server, { email: old, firstName: 'Ann' });

        // The email change (what PATCH /contacts/:id does), held open until the POST waits for it.
        side = openDatabase(database.url);
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let changed = () => {};
        const changing = new Promise<void>((resolve) => {
          changed = resolve;
        });
        const patching = withTransaction({ db: side.db, wakeups: noWakeups }, async (tx) => {
          await patchContact(tx.db, id, { email: moved }, Date.now());
          changed();
          await held;
        });
        await changing;
        const posting = send(server, 'POST', '/contacts', { email: old, lastName: 'Lee' });
        await waitingForLock(side.db, API_SIDE);
        release();
        await patching;
        const res = await posting;
        const answer = (await res.json()) as { action: string; contact: ContactJson };

        // Either order of the two writes keeps the committed change: the contact has the new email,
        // and the old one, now free, is a contact of its own (or the POST is refused as a conflict).
        const contact = (await (
          await send(server, 'GET', `/contacts/${id}`)
        ).json()) as ContactJson;
        expect(contact.email, JSON.stringify(answer)).toBe(moved);
        if (res.status !== 409) {
          expect(res.status).toBe(201);
          expect(answer.contact).toMatchObject({ email: old, lastName: 'Lee' });
          expect(answer.contact.id).not.toBe(id);
        }
      } finally {
        await side?.close();
        await server.close();
        await database.drop();
      }
    },
  );
});
