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
const OTHER_SIDE = 'delete-race-other';

describe.each(testDialects())('a patch beside a delete on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  let deleteSide: OpenDatabase;
  let otherSide: OpenDatabase;

  beforeEach(() => {
    deleteSide = openDatabase(namedConnections(current().url, DELETE_SIDE));
    otherSide = openDatabase(namedConnections(current().url, OTHER_SIDE));
  });

  afterEach(async () => {
    await otherSide.close();
    await deleteSide.close();
  });

  /**
   * Runs `alongside` (on the other side's connections) while a delete of contact `id` waits at its
   * write with the contact's lock held (a third transaction holds the row), once `alongside` waits
   * too; then lets both finish and answers what `alongside` gave.
   */
  const duringDelete = async <T>(id: number, alongside: () => Promise<T>): Promise<T> => {
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
      const other = alongside();
      await waitingForLock(current().db, OTHER_SIDE);
      await holder.query('commit');
      await deleting;
      return await other;
    } finally {
      await holder.end();
    }
  };

  const stateOf = async (id: number) => {
    const row = await current()
      .db.selectFrom('contacts')
      .select(['status', 'deleted_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { deleted: row.deleted_at !== null, status: row.status };
  };

  // A patch that read the contact before the delete committed wrote its status over a deleted row
  // (deleted_at set, status confirmed): a deleted contact listed as live. It must see the delete,
  // and then restore the contact whole.
  it.runIf(dialect === 'postgres')(
    'leaves the contact deleted, or restored whole, never half of each',
    async () => {
      const id = await insertContact(current().db, 'half@example.com');
      await current().db.updateTable('contacts').set({ status: 'unsubscribed' }).execute();
      const ctx = { db: otherSide.db, wakeups: noWakeups };
      await duringDelete(id, () => editContact(ctx, id, { status: 'confirmed' }, Date.now()));
      expect(await stateOf(id)).toEqual({ deleted: false, status: 'confirmed' });
    },
  );

  // The same for an unsubscribe link followed while the contact is being deleted.
  it.runIf(dialect === 'postgres')(
    'leaves a contact deleted when its unsubscribe link is followed during the delete',
    async () => {
      const id = await insertContact(current().db, 'gone@example.com');
      const ctx = { db: otherSide.db, wakeups: noWakeups };
      const unsubscribed = await duringDelete(id, () =>
        unsubscribeContact(ctx, { contactId: id, ip: null, userAgent: null }),
      );
      expect({ unsubscribed, ...(await stateOf(id)) }).toEqual({
        unsubscribed: false,
        deleted: true,
        status: 'deleted',
      });
    },
  );
});
