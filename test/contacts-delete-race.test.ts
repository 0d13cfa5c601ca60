// PATCH or an unsubscribe beside DELETE of the same contact (PostgreSQL: each commits while the other waits).
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unsubscribeContact } from '../server/confirm/unsubscribe.ts';
import { deleteContact } from '../server/contacts/delete-contact.ts';
import { editContact } from '../server/contacts/patch-contact.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { noWakeups } from '../server/db/unit-of-work.ts';
import { insertContact, namedConnections, waitingForLock } from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

const DELETE_SIDE = 'delete-race-delete';
const PATCH_SIDE = 'delete-race-patch';

describe.each(testDialects())('a patch beside a delete on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  let deleteSide: OpenDatabase;
  let patchSide: OpenDatabase;

  beforeEach(() => {
    deleteSide = openDatabase(namedConnections(current().url, DELETE_SIDE));
    patchSide = openDatabase(namedConnections(current().url, PATCH_SIDE));
  });

  afterEach(async () => {
    await patchSide.close();
    await deleteSide.close();
  });

  // The delete commits while the patch is under way. A patch that read the contact before the
  // delete committed wrote its status over a deleted row (deleted_at set, status confirmed): a
  // deleted contact listed as live. It must see the delete, and then restore the contact whole.
  it.runIf(dialect === 'postgres')(
    'leaves the contact deleted, or restored whole, never half of each',
    async () => {
      const id = await insertContact(current().db, 'half@example.com');
      await current().db.updateTable('contacts').set({ status: 'unsubscribed' }).execute();
      // A third transaction holds the row, so the delete waits at its write with its lock held.
      const holder = new pg.Client({ connectionString: current().url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('select 1 from contacts where id = $1 for update', [id]);
        const deleting = deleteContact(
          { db: deleteSide.db, wakeups: noWakeups },
          id,
          { erase: false },
          Date.now(),
        );
        await waitingForLock(current().db, DELETE_SIDE);
        const patching = editContact(
          { db: patchSide.db, wakeups: noWakeups },
          id,
          { status: 'confirmed' },
          Date.now(),
        );
        await waitingForLock(current().db, PATCH_SIDE);
        await holder.query('commit');
        await deleting;
        await patching;
      } finally {
        await holder.end();
      }
      const row = await current()
        .db.selectFrom('contacts')
        .select(['status', 'deleted_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect({ deleted: row.deleted_at !== null, status: row.status }).toEqual({
        deleted: false,
        status: 'confirmed',
      });
    },
  );

  // The same for an unsubscribe link followed while the contact is being deleted.
  it.runIf(dialect === 'postgres')(
    'leaves a contact deleted when its unsubscribe link is followed during the delete',
    async () => {
      const id = await insertContact(current().db, 'gone@example.com');
      const holder = new pg.Client({ connectionString: current().url });
      await holder.connect();
      let unsubscribed: boolean | undefined;
      try {
        await holder.query('begin');
        await holder.query('select 1 from contacts where id = $1 for update', [id]);
        const deleting = deleteContact(
          { db: deleteSide.db, wakeups: noWakeups },
          id,
          { erase: false },
          Date.now(),
        );
        await waitingForLock(current().db, DELETE_SIDE);
        const unsubscribing = unsubscribeContact(
          { db: patchSide.db, wakeups: noWakeups },
          { contactId: id, ip: null, userAgent: null },
        );
        await waitingForLock(current().db, PATCH_SIDE);
        await holder.query('commit');
        await deleting;
        unsubscribed = await unsubscribing;
      } finally {
        await holder.end();
      }
      const row = await current()
        .db.selectFrom('contacts')
        .select(['status', 'deleted_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect({ unsubscribed, deleted: row.deleted_at !== null, status: row.status }).toEqual({
        unsubscribed: false,
        deleted: true,
        status: 'deleted',
      });
    },
  );
});
