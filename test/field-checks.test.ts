// A defined field is checked on every write path (API subscribe, public form, confirm, workflows,
// patch): a wrong value is refused naming the field, never dropped silently; right ones are typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchContact } from '../server/contacts/patch-contact.ts';
import { findContactById, updateContact } from '../server/contacts/store/contact-rows.ts';
import { ValidationError } from '../server/errors.ts';
import { testDialects } from './helpers/databases.ts';
import { mailingServerPerTest } from './helpers/mailing-server.ts';
import type { TestServer } from './helpers/server.ts';
import { confirmLinkIn } from './helpers/smtp.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

interface ErrorBody {
  error: { message: string; issues?: { field: string; message: string }[] };
}

const define = async (server: TestServer, body: object) => {
  const res = await server.api('/api/v1/fields', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
};
const issueFields = async (res: Response) =>
  ((await res.json()) as ErrorBody).error.issues?.map((i) => i.field);

describe.each(testDialects())('field checks on write paths on %s', (dialect) => {
  // No cooldown: the API subscribe that makes a contact mails it a link before the form does.
  const { server, smtp } = mailingServerPerTest(dialect, {
    timings: { confirmationCooldownMs: 0 },
    form: {
      id: 'join',
      name: 'Join',
      groups: ['Members'],
      fields: [
        { name: 'email', type: 'email' },
        { name: 'plan', type: 'text' },
        { name: 'size', type: 'text' },
      ],
    },
    setUp: async (server) => {
      await define(server, { key: 'seats', type: 'number' });
      await define(server, { key: 'plan', type: 'enum', options: ['free', 'pro'] });
    },
  });

  const apiSubscribe = (contact: object) =>
    server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({ contact }),
    });
  const fieldsOf = async (id: number) =>
    JSON.parse((await findContactById(server.database.db, id))?.fields ?? 'null') as Record<
      string,
      unknown
    >;
  const idOf = async (email: string) =>
    (
      await server.database.db
        .selectFrom('contacts')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst()
    )?.id;
  /**
   * An existing, confirmed contact (as the contacts API or an import would leave one). The API
   * subscribe mails it a first link, awaited so that the form's link is its second mail (sent
   * together, they could arrive in either order).
   */
  const confirmedContact = async (email: string) => {
    const res = await apiSubscribe({ email });
    const { id } = (await res.json()) as { id: number };
    await smtp.waitForMail(email);
    const row = await findContactById(server.database.db, id);
    if (!row) throw new Error('no contact');
    await updateContact(server.database.db, row, { status: 'confirmed' }, Date.now());
    return id;
  };

  it('API subscribe: native and eSputnik fields of the wrong type are 422 naming fields.<key>', async () => {
    const native = await apiSubscribe({ email: 'n@example.com', fields: { seats: 'many' } });
    expect(native.status).toBe(422);
    expect(await issueFields(native)).toEqual(['fields.seats']);
    const esputnik = await apiSubscribe({
      channels: [{ type: 'email', value: 'e@example.com' }],
      fields: [{ id: 'plan', value: 'gold' }],
    });
    expect(esputnik.status).toBe(422);
    expect(await issueFields(esputnik)).toEqual(['fields.plan']);
    expect(await idOf('n@example.com')).toBeUndefined();

    const ok = await apiSubscribe({ email: 'n@example.com', fields: { seats: '3', plan: 'pro' } });
    expect(ok.status).toBe(200);
    const { id } = (await ok.json()) as { id: number };
    expect(await fieldsOf(id)).toEqual({ seats: 3, plan: 'pro' });
    const update = await apiSubscribe({ email: 'n@example.com', fields: { plan: 'team' } });
    expect(update.status).toBe(422);
    expect(await fieldsOf(id)).toEqual({ seats: 3, plan: 'pro' });
  });

  it('public form: a wrong value is a 422 naming the input, for a new and an existing address alike', async () => {
    const fresh = await server.subscribe('join', { email: 'new@example.com', plan: 'gold' });
    expect(fresh.status).toBe(422);
    expect(await issueFields(fresh)).toEqual(['plan']);
    expect(await idOf('new@example.com')).toBeUndefined();

    // An existing contact's fills would wait on the link: they are checked now, not on confirm.
    const id = await confirmedContact('old@example.com');
    const existing = await server.subscribe('join', { email: 'old@example.com', plan: 'gold' });
    expect(existing.status).toBe(422);
    const body = (await existing.json()) as ErrorBody;
    expect(body.error.issues).toEqual([{ field: 'plan', message: 'must be one of free, pro' }]);

    expect((await server.subscribe('join', { email: 'old@example.com', plan: 'pro' })).status).toBe(
      202,
    );
    const link = confirmLinkIn(await smtp.waitForMail('old@example.com', 10_000, 2));
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect(await fieldsOf(id)).toEqual({ plan: 'pro' });
  });

  it('public form without JavaScript: the error page names the field and what it must be', async () => {
    const res = await fetch(`${server.url}/v1/forms/join/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ email: 'html@example.com', plan: 'gold' }).toString(),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('plan: must be one of free, pro');
    expect(await idOf('html@example.com')).toBeUndefined();
  });

  it('confirm: a value that stopped fitting after the post is left out, and the link still confirms', async () => {
    const id = await confirmedContact('late@example.com');
    expect((await server.subscribe('join', { email: 'late@example.com', size: 'XL' })).status).toBe(
      202,
    );
    const link = confirmLinkIn(await smtp.waitForMail('late@example.com', 10_000, 2));
    // Defined after the post: the fill on the link does not fit any more.
    await define(server, { key: 'size', type: 'enum', options: ['S', 'M'] });
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    const view = (await (await server.api(`/api/v1/contacts/${id}`)).json()) as {
      groups: string[];
      fields: Record<string, unknown>;
    };
    expect(view.groups).toEqual(['Members']);
    expect(view.fields).toEqual({});
  });

  it('patch: a wrong value is refused naming fields.<key>; null clears, strings are typed', async () => {
    const { id } = (await (await apiSubscribe({ email: 'p@example.com' })).json()) as {
      id: number;
    };
    const db = server.database.db;
    const refused = await patchContact(db, id, { fields: { seats: 'x' } }, Date.now()).catch(
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues.map((i) => i.field)).toEqual(['fields.seats']);
    await patchContact(db, id, { fields: { seats: '7', plan: 'free' } }, Date.now());
    expect(await fieldsOf(id)).toEqual({ seats: 7, plan: 'free' });
    await patchContact(db, id, { fields: { seats: null } }, Date.now());
    expect(await fieldsOf(id)).toEqual({ plan: 'free' });
  });
});

describe.each(testDialects())('field checks in workflows on %s', (dialect) => {
  let wf: WorkflowServer;

  beforeAll(async () => {
    wf = await startWorkflowServer(dialect, {
      'bad.yaml': `
name: bad
on: subscribeFromApi-bad
steps:
  - update_contact: { fields: { seats: "many" } }
`,
      'good.yaml': `
name: good
on: subscribeFromApi-good
steps:
  - update_contact: { fields: { seats: "\${ContactId}" } }
`,
    });
    await define(wf.server, { key: 'seats', type: 'number' });
  });
  afterAll(() => wf.stop());

  const subscribe = async (email: string, formType: string) => {
    const res = await wf.server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({ contact: { email }, formType }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: number }).id;
  };

  it('update_contact with a wrong value fails the run with a message naming fields.<key>', async () => {
    const id = await subscribe('wf-bad@example.com', 'bad');
    const run = await wf.finishedRun(`workflow=bad&contactId=${id}`);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('fields.seats');
    expect(run.error).toContain('must be a number');
    expect(JSON.parse((await findContactById(wf.server.database.db, id))?.fields ?? '')).toEqual(
      {},
    );
  });

  it('update_contact with a fitting value stores it as the type', async () => {
    const id = await subscribe('wf-good@example.com', 'good');
    const run = await wf.finishedRun(`workflow=good&contactId=${id}`);
    expect(run.status).toBe('completed');
    expect(JSON.parse((await findContactById(wf.server.database.db, id))?.fields ?? '')).toEqual({
      seats: id,
    });
  });
});
