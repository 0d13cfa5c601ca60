// POST /api/v1/events: custom events for a contact start workflows; identities, scopes and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { normalizePhone } from '../server/contacts/phone.ts';
import { findContactById, markContactDeleted } from '../server/contacts/store/contact-rows.ts';
import { upsertContact } from '../server/contacts/upsert-contact.ts';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { testDialects } from './helpers/databases.ts';
import { waitForDispatched } from './helpers/settled.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

const orderPaid = `
name: order-paid
on: orderPaid
steps:
  - update_contact: { lastName: "paid \${orderId}" }
`;

interface ErrorBody {
  error: { code: string; message: string; issues?: { field: string }[] };
}

describe.each(testDialects())('POST /api/v1/events on %s', (dialect) => {
  let ws: WorkflowServer;
  beforeAll(async () => {
    ws = await startWorkflowServer(dialect, { 'order-paid.yaml': orderPaid });
  });
  afterAll(() => ws.stop());

  const db = () => ws.server.database.db;
  const createContact = (input: { email?: string; phone?: string; externalId?: string }) =>
    withTransaction({ db: db(), wakeups: noWakeups }, async (tx) => {
      const phone = input.phone === undefined ? undefined : normalizePhone(input.phone);
      const { contact } = await upsertContact(
        tx.db,
        { ...input, phone },
        { mode: 'overwrite', newStatus: 'confirmed', source: 'test', now: Date.now() },
      );
      return contact;
    });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    ws.server.api('/api/v1/events', { method: 'POST', body: JSON.stringify(body), headers });

  it('appends the event for the contact and starts the workflows listening to its type', async () => {
    const ann = await createContact({ email: 'ann@example.com' });
    const res = await post({
      type: 'orderPaid',
      email: ' Ann@Example.com ',
      params: { orderId: 'A-17', total: 99.5, paid: true, note: null, ContactId: 999 },
    });
    expect(res.status).toBe(201);
    const event = await res.json();
    expect(event).toEqual({
      id: expect.any(Number),
      type: 'orderPaid',
      key: String(ann.id),
      contactId: ann.id,
      params: {
        orderId: 'A-17',
        total: 99.5,
        paid: true,
        note: null,
        ContactId: ann.id,
        EmailAddress: 'ann@example.com',
      },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const run = await ws.finishedRun(`contactId=${ann.id}`);
    expect(run).toMatchObject({ workflow: 'order-paid', status: 'completed' });
    const contact = await (await ws.server.api(`/api/v1/contacts/${ann.id}`)).json();
    expect(contact).toMatchObject({ lastName: 'paid A-17' });
    const listed = await (await ws.server.api('/api/v1/events?type=orderPaid')).json();
    expect(listed.items).toEqual([event]);
  });

  it('finds the contact by id, by phone in any accepted format, or by external id', async () => {
    const bob = await createContact({ phone: '+380942583691', externalId: 'crm-bob' });
    for (const identity of [
      { contactId: bob.id },
      { phone: '+380 94 258 3691' },
      { phone: '380942583691' },
      { phone: '00380942583691' },
      { phone: '0942583691', defaultCountry: 'UA' },
      { externalId: 'crm-bob' },
    ]) {
      const res = await post({ type: 'crm.touch:v1', ...identity });
      expect(res.status, JSON.stringify(identity)).toBe(201);
      expect(await res.json()).toMatchObject({ contactId: bob.id, params: { ContactId: bob.id } });
    }
    // EmailAddress always describes the contact: Bob has none, so a given one is dropped.
    const spoofed = await post({
      type: 'crm.touch',
      contactId: bob.id,
      params: { EmailAddress: 'eve@example.com', ContactId: 1, source: 'crm' },
    });
    expect((await spoofed.json()).params).toEqual({ ContactId: bob.id, source: 'crm' });
    // A type no workflow listens to starts nothing.
    await waitForDispatched(db());
    expect(await ws.runsOf(`contactId=${bob.id}`)).toEqual([]);
  });

  it('answers 404 for an unknown contact and 409 for a deleted one', async () => {
    for (const identity of [
      { email: 'nobody@example.com' },
      { contactId: 987654 },
      { phone: '+447700900123' },
      { externalId: 'crm-nobody' },
    ]) {
      const res = await post({ type: 'orderPaid', ...identity });
      expect(res.status, JSON.stringify(identity)).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
    }

    const gone = await createContact({ email: 'gone@example.com' });
    await withTransaction({ db: db(), wakeups: noWakeups }, async (tx) =>
      markContactDeleted(
        tx.db,
        (await findContactById(tx.db, gone.id)) ?? expect.fail(),
        Date.now(),
      ),
    );
    const res = await post({ type: 'orderPaid', email: 'gone@example.com' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toContain(
      `contact ${gone.id} is deleted`,
    );
    const events = await (await ws.server.api(`/api/v1/events?contactId=${gone.id}`)).json();
    expect(events.items).toEqual([]);
  });

  it('refuses bad input with a 422 naming the field', async () => {
    await createContact({ email: 'cat@example.com' });
    const manyParams = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, i]));
    const bigParams = { a: 'x'.repeat(9000), b: 'y'.repeat(8000) };
    const cases: [unknown, string[]][] = [
      [{ type: 'orderPaid', contactId: 1, email: 'cat@example.com' }, ['contactId', 'email']],
      [{ type: 'orderPaid' }, ['(body)']],
      [{ type: 'order paid', email: 'cat@example.com' }, ['type']],
      [{ type: '', email: 'cat@example.com' }, ['type']],
      [{ type: 'x'.repeat(101), email: 'cat@example.com' }, ['type']],
      [{ type: 'orderPaid', email: 'cat@example.com', params: manyParams }, ['params']],
      [{ type: 'orderPaid', email: 'cat@example.com', params: bigParams }, ['params']],
      [
        { type: 'orderPaid', email: 'cat@example.com', params: { nested: { a: 1 } } },
        ['params.nested'],
      ],
      [{ type: 'orderPaid', email: 'not-an-email' }, ['email']],
      [{ type: 'orderPaid', phone: 'call me' }, ['phone']],
      [{ type: 'orderPaid', contactId: 0 }, ['contactId']],
    ];
    for (const [body, fields] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(422);
      const error = ((await res.json()) as ErrorBody).error;
      expect(
        error.issues?.map((i) => i.field),
        JSON.stringify(body).slice(0, 200),
      ).toEqual(fields);
    }
  });

  it('refuses the names of Subflow’s own events with a 422 naming type, and appends nothing', async () => {
    const eve = await createContact({ email: 'eve@example.com' });
    for (const type of [
      'subscribeFromApi',
      'subscribeFromApi-newsletter',
      'subscribeUpdateFromApi-abc',
      'emailConfirmed',
      'emailConfirmed-newsletter',
      'unsubscribed',
      'unsubscribed-x',
    ]) {
      const res = await post({ type, contactId: eve.id });
      expect(res.status, type).toBe(422);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.issues?.map((i) => i.field)).toEqual(['type']);
      expect(error.message).toContain('Subflow');
    }
    const events = await (await ws.server.api(`/api/v1/events?contactId=${eve.id}`)).json();
    expect(events.items).toEqual([]);
    const own = await post({ type: 'crm.emailConfirmedElsewhere', contactId: eve.id });
    expect(own.status).toBe(201);
  });

  it('needs a key with events:write (admin passes)', async () => {
    await createContact({ email: 'dan@example.com' });
    const body = JSON.stringify({ type: 'crm.touch', email: 'dan@example.com' });
    const send = (headers: Record<string, string>) =>
      fetch(`${ws.server.url}/api/v1/events`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: 'Bearer sf_unknown' })).status).toBe(401);
    const reader = await createApiKey(db(), { name: 'reader', scopes: ['events:read'] });
    const refused = await send({ authorization: `Bearer ${reader.key}` });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorBody).error.message).toContain('events:write');
    const writer = await createApiKey(db(), { name: 'crm', scopes: ['events:write'] });
    expect((await send({ authorization: `Bearer ${writer.key}` })).status).toBe(201);
  });
});
