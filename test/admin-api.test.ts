// The API reads the admin console is built on: DOI funnel, contact consents and timeline, outbox
// and run counts, and the form preview definition, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { confirmLinkIn, TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

const today = () => new Date().toISOString().slice(0, 10);

describe.each(testDialects())('admin reads on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;
  const workflows = workflowDir({
    'follow-up.yaml': 'name: follow-up\non: subscribeFromApi*\nsteps:\n  - wait: 2d\n',
  });
  const ann = `ann-${dialect}@example.com`;
  const bob = `bob-${dialect}@example.com`;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    server = await startTestServer({
      DATABASE_URL: database.url,
      SMTP_URL: smtp.url,
      WORKFLOWS_DIR: workflows.dir,
    });
    for (const email of [ann, bob]) {
      expect((await server.subscribe('newsletter', { email })).status).toBe(202);
      const found = await (await server.api(`/api/v1/contacts?email=${email}`)).json();
      ids[email] = found.items[0].id;
    }
    await smtp.waitForMail(ann);
    const link = confirmLinkIn(await smtp.waitForMail(bob));
    expect((await fetch(link, { method: 'POST', redirect: 'manual' })).status).toBeLessThan(400);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await database?.drop();
    workflows.remove();
  });

  const get = async (path: string) => {
    const res = await server.api(`/api/v1${path}`);
    return { status: res.status, body: await res.json() };
  };

  it('counts the funnel per form and day: two subscribed, one confirmed', async () => {
    const { status, body } = await get('/funnel?days=7');
    expect(status).toBe(200);
    const counts = {
      form: 'newsletter',
      subscribed: 2,
      confirmed: 1,
      unsubscribed: 0,
      confirmationRate: 0.5,
    };
    expect(body.totals).toEqual([counts]);
    expect(body.days).toEqual([{ date: today(), ...counts }]);
    expect(body.to).toBe(today());
    expect((await get('/funnel?form=other')).body.totals).toEqual([]);
  });

  it('refuses a period it cannot count, naming the field', async () => {
    for (const days of ['0', '367', 'ten', '1e2']) {
      const { status, body } = await get(`/funnel?days=${days}`);
      expect(status).toBe(422);
      expect(body.error.issues[0].field).toBe('days');
    }
  });

  it('lists a contact’s consent records, oldest first', async () => {
    const { body } = await get(`/contacts/${ids[bob]}/consents`);
    expect(body.items.map((c: { kind: string; formType: string }) => [c.kind, c.formType])).toEqual(
      [
        ['subscribe', 'newsletter'],
        ['confirm', 'newsletter'],
      ],
    );
    expect(body.items[0].ip).toBeTypeOf('string');
    expect((await get('/contacts/999999/consents')).status).toBe(404);
  });

  it('puts a contact’s events, mail and workflow steps in one timeline, newest first', async () => {
    await until(async () => (await get('/mail-outbox/counts')).body.sent === 2);
    const { status, body } = await get(`/contacts/${ids[ann]}/timeline`);
    expect(status).toBe(200);
    const kinds = body.items.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['event', 'mail', 'step']));
    const event = body.items.find((e: { kind: string }) => e.kind === 'event');
    expect(event.type).toBe('subscribeFromApi-newsletter');
    const mail = body.items.find((e: { kind: string }) => e.kind === 'mail');
    expect(mail).toMatchObject({ subject: 'Please confirm your subscription', status: 'sent' });
    const step = body.items.find((e: { kind: string }) => e.kind === 'step');
    expect(step).toMatchObject({ workflow: 'follow-up', op: 'wait', status: 'waiting' });
    const times = body.items.map((e: { at: string }) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    expect((await get(`/contacts/${ids[ann]}/timeline?limit=1`)).body.items).toHaveLength(1);
    expect((await get(`/contacts/${ids[ann]}/timeline?limit=0`)).status).toBe(422);
    expect((await get('/contacts/999999/timeline')).status).toBe(404);
  });

  it('counts outbox mail and runs by state', async () => {
    const outbox = (await get('/mail-outbox/counts')).body;
    expect(outbox).toEqual({ pending: 0, sent: 2, failed: 0, cancelled: 0, dueNow: 0 });
    await until(async () => (await get('/workflow-runs/counts')).body.total.waiting === 2);
    const runs = (await get('/workflow-runs/counts')).body;
    expect(runs.total).toEqual({ running: 0, waiting: 2, completed: 0, failed: 0, cancelled: 0 });
    expect(runs.byWorkflow).toEqual([{ workflow: 'follow-up', ...runs.total }]);
  });

  it('answers the widget definition of an unsaved form, as GET /v1/forms/:id would', async () => {
    const form = { id: 'draft', name: 'Draft', texts: { title: 'Hallo Welt' } };
    const res = await server.api('/api/v1/form-previews', {
      method: 'POST',
      body: JSON.stringify({ form, lang: 'de' }),
    });
    expect(res.status).toBe(200);
    const preview = await res.json();
    const saved = await (await fetch(`${server.url}/v1/forms/newsletter?lang=de`)).json();
    expect(preview).toMatchObject({ id: 'draft', lang: 'de', dir: 'ltr', originAllowed: true });
    expect(preview.strings).toEqual({ ...saved.strings, title: 'Hallo Welt' });
    expect((await get('/forms/draft')).status).toBe(404);

    const bad = await server.api('/api/v1/form-previews', {
      method: 'POST',
      body: JSON.stringify({ form: { ...form, fields: [{ name: 'nickname' }] } }),
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.issues[0].field).toMatch(/^form\.fields/);
  });

  it('serves the console under a CSP without inline script, its hashed assets cached for good', async () => {
    const page = await fetch(`${server.url}/admin/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(await asset.text()).toContain('subflow.apiKey');
    expect((await fetch(`${server.url}/admin/assets/nope.js`)).status).toBe(404);
    expect(
      (await fetch(`${server.url}/admin`, { redirect: 'manual' })).headers.get('location'),
    ).toBe('/admin/');
  });
});
