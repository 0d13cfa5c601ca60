// The workflow engine end to end: events start runs, mail goes over real SMTP, waits, branches.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Tx, withTransaction } from '../server/db/unit-of-work.ts';
import { verifySignature } from '../server/engine/steps/webhook.ts';
import { appendEvent } from '../server/events/append-event.ts';
import { insertContact } from './helpers/bare-engine.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { waitForDispatched } from './helpers/settled.ts';
import { confirmLinkIn, TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

interface Run {
  id: number;
  status: string;
  workflow: string;
  error: string | null;
  steps: { stepId: string; status: string; attempts: number; output: Record<string, unknown> }[];
}

describe.each(testDialects())('workflows on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;
  let dir: ReturnType<typeof workflowDir>;

  const start = async (files: Record<string, string>, env: Record<string, string> = {}) => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    dir = workflowDir(files);
    server = await startTestServer({
      DATABASE_URL: database.url,
      SMTP_URL: smtp.url,
      WORKFLOWS_DIR: dir.dir,
      ...env,
    });
  };

  afterEach(async () => {
    await server.close();
    await smtp.stop();
    await database.drop();
    dir.remove();
  });

  const inTransaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    withTransaction({ db: server.database.db, wakeups: server.wakeups }, fn);
  const runsOf = async (query: string) =>
    ((await (await server.api(`/api/v1/workflow-runs?${query}`)).json()) as { items: Run[] }).items;
  const run = async (id: number) =>
    (await (await server.api(`/api/v1/workflow-runs/${id}`)).json()) as Run;
  const finishedRun = (query: string) =>
    until(async () => {
      const [first] = await runsOf(query);
      return first && ['completed', 'failed', 'cancelled'].includes(first.status)
        ? run(first.id)
        : undefined;
    });

  it('sends the welcome mail with interpolated text when the contact confirms', async () => {
    await start({
      'welcome.yaml': `
name: welcome
on: emailConfirmed-newsletter
steps:
  - send_email: { subject: "Welcome \${contact.firstName}!", text: "Hi \${contact.firstName}, thanks for confirming \${EmailAddress}." }
  - add_tags: [welcomed]
`,
    });
    await server.subscribe('newsletter', { email: 'ann@example.com', firstName: 'Ann' });
    await fetch(confirmLinkIn(await smtp.waitForMail('ann@example.com')), { method: 'POST' });
    const welcome = await smtp.waitForMail('ann@example.com', 10_000, 2);
    expect(welcome.subject).toBe('Welcome Ann!');
    expect(welcome.text).toContain('Hi Ann, thanks for confirming ann@example.com.');
    expect(welcome.text).toMatch(/Unsubscribe: http\S+\/unsubscribe\/1\./);
    expect(welcome.rawHeaders['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    const done = await finishedRun('contactId=1');
    expect(done).toMatchObject({ workflow: 'welcome', status: 'completed' });
    expect(done.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['steps.0', 'completed'],
      ['steps.1', 'completed'],
    ]);
    expect(await (await server.api('/api/v1/contacts/1')).json()).toMatchObject({
      status: 'confirmed',
    });
  });

  it('takes the timeout branch of wait_for, or the other one when the event comes', async () => {
    await start({
      'nudge.yaml': `
name: nudge
on: subscribeFromApi-newsletter
steps:
  - wait: 1s
  - id: confirmed
    wait_for: { event: "emailConfirmed*", timeout: 2s }
  - if: steps.confirmed.received
    then: [ { send_email: { subject: "Thanks", text: "Confirmed." } } ]
    else: [ { send_email: { subject: "Still there?", text: "Please confirm." } } ]
`,
    });
    await server.subscribe('newsletter', { email: 'early@example.com' });
    await server.subscribe('newsletter', { email: 'never@example.com' });
    // Confirmed during the first wait, before wait_for began: it still counts.
    await fetch(confirmLinkIn(await smtp.waitForMail('early@example.com')), { method: 'POST' });

    expect((await smtp.waitForMail('early@example.com', 10_000, 2)).subject).toBe('Thanks');
    expect((await smtp.waitForMail('never@example.com', 10_000, 2)).subject).toBe('Still there?');
    const never = await finishedRun('contactId=2');
    expect(never.steps.find((s) => s.stepId === 'confirmed')?.output).toEqual({
      received: false,
      event: null,
    });
  });

  it('resumes wait_for as soon as the event arrives', async () => {
    await start({
      'clicks.yaml': `
name: clicks
on: subscribeFromApi-newsletter
steps:
  - id: click
    wait_for: { event: "linkClicked", match: 'event.params.url == "https://x.example/pro"', timeout: 1h }
  - add_to_groups: [Clicked]
`,
    });
    await server.subscribe('newsletter', { email: 'click@example.com' });
    await until(async () => (await runsOf('contactId=1'))[0]?.status === 'waiting');
    await inTransaction(async (tx) => {
      await appendEvent(tx, {
        type: 'linkClicked',
        contactId: 1,
        params: { url: 'https://other.example' },
        now: Date.now(),
      });
      await appendEvent(tx, {
        type: 'linkClicked',
        contactId: 1,
        params: { url: 'https://x.example/pro' },
        now: Date.now(),
      });
    });
    const done = await finishedRun('contactId=1');
    expect(done.status).toBe('completed');
    expect(done.steps[0]?.output).toMatchObject({
      received: true,
      event: { params: { url: 'https://x.example/pro' } },
    });
    // Newsletter waits for the form's confirmation; the workflow's group does not.
    expect(await (await server.api('/api/v1/contacts/1')).json()).toMatchObject({
      groups: ['Clicked'],
      pendingGroups: ['Newsletter'],
    });
  });

  it('starts one run per contact while one is active, cancels on cancel_on and through the API', async () => {
    await start({
      'drip.yaml': `
name: drip
on: "subscribe*Api-newsletter"
cancel_on: [unsubscribed]
steps:
  - wait: 1h
  - send_email: { subject: "Later", text: "..." }
`,
    });
    await server.subscribe('newsletter', { email: 'drip@example.com' });
    await server.subscribe('newsletter', { email: 'drip@example.com' });
    await server.subscribe('newsletter', { email: 'other@example.com' });
    await until(async () => (await runsOf('workflow=drip&status=waiting')).length === 2);
    expect(await runsOf('contactId=1')).toHaveLength(1);

    await inTransaction((tx) =>
      appendEvent(tx, {
        type: 'unsubscribed',
        contactId: 1,
        params: { ContactId: 1 },
        now: Date.now(),
      }),
    );
    await until(async () => (await runsOf('contactId=1'))[0]?.status === 'cancelled');

    const [other] = await runsOf('contactId=2');
    const cancelled = await server.api(`/api/v1/workflow-runs/${other?.id}/cancel`, {
      method: 'POST',
    });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as Run).status).toBe('cancelled');
    expect(
      (await server.api(`/api/v1/workflow-runs/${other?.id}/cancel`, { method: 'POST' })).status,
    ).toBe(409);
  });

  it('keeps loading good workflows when one file is broken, and reports the broken one', async () => {
    await start({
      'good.yaml': 'name: good\non: emailConfirmed\nsteps:\n  - add_tags: [ok]\n',
      'bad.yaml': 'name: bad\non: emailConfirmed\nsteps:\n  - sned_email: { subject: x }\n',
    });
    const body = (await (await server.api('/api/v1/workflows')).json()) as {
      items: { name: string }[];
      errors: { file: string; line: number; column: number; message: string }[];
    };
    expect(body.items.map((w) => w.name)).toEqual(['good']);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ line: 4 });
    expect(body.errors[0]?.file).toContain('bad.yaml');
  });

  it('starts every run of a burst exactly once', async () => {
    await start({ 'tag.yaml': 'name: tagger\non: burst\nsteps:\n  - add_tags: [burst]\n' });
    const db = server.database.db;
    const count = 300;
    const now = Date.now();
    await inTransaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        const id = await insertContact(tx.db, `b${i}@example.com`, now);
        await appendEvent(tx, { type: 'burst', contactId: id, params: { ContactId: id }, now });
      }
    });
    await until(
      async () => (await runsOf('workflow=tagger&status=completed&limit=1000')).length === count,
      30_000,
    );
    const steps = await db.selectFrom('workflow_steps').select(['run_id', 'attempts']).execute();
    expect(steps).toHaveLength(count);
    expect(new Set(steps.map((s) => s.run_id)).size).toBe(count);
    expect(steps.every((s) => s.attempts === 1)).toBe(true);
    const tagged = await db.selectFrom('contact_tags').select('contact_id').execute();
    expect(tagged).toHaveLength(count);
  });

  it('calls a webhook with a verifiable signature and retries a 500 with backoff', async () => {
    const received: { signature: string; key: string; body: string }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({
          signature: String(req.headers['x-subflow-signature']),
          key: String(req.headers['idempotency-key']),
          body,
        });
        res.writeHead(received.length === 1 ? 500 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: received.length > 1 }));
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      await start(
        {
          'crm.yaml': `
name: crm
on: subscribeFromApi-newsletter
retry: { attempts: 3, backoff: 1s }
steps:
  - id: notify
    webhook: { url: "${url}", secret: "hook-secret-123", body: { email: "\${EmailAddress}", contact: "\${ContactId}" } }
`,
        },
        { WEBHOOK_ALLOW_PRIVATE: 'true' },
      );
      await server.subscribe('newsletter', { email: 'crm@example.com' });
      const done = await finishedRun('contactId=1');
      expect(done.status).toBe('completed');
      expect(done.steps[0]).toMatchObject({
        stepId: 'notify',
        attempts: 2,
        output: { status: 200, body: { ok: true } },
      });
      expect(received).toHaveLength(2);
      expect(received[0]?.key).toBe(received[1]?.key);
      expect(JSON.parse(received[1]?.body ?? '')).toEqual({
        email: 'crm@example.com',
        contact: '1',
      });
      expect(
        verifySignature('hook-secret-123', received[1]?.signature ?? '', received[1]?.body ?? ''),
      ).toBe(true);
      expect(
        verifySignature('wrong-secret', received[1]?.signature ?? '', received[1]?.body ?? ''),
      ).toBe(false);
    } finally {
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  it('refuses webhooks to private addresses unless allowed', async () => {
    await start({
      'local.yaml': `
name: local
on: subscribeFromApi-newsletter
steps:
  - webhook: { url: "http://127.0.0.1:9/never" }
`,
    });
    await server.subscribe('newsletter', { email: 'ssrf@example.com' });
    const done = await finishedRun('contactId=1');
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/127\.0\.0\.1/);
    expect(done.steps[0]?.attempts).toBe(1);
  });

  it('pins a run to the version it started on; an edited file only affects new runs', async () => {
    const version = (subject: string) => `
name: versioned
on: subscribeFromApi-newsletter
steps:
  - wait: 1s
  - send_email: { subject: "${subject}", text: "..." }
`;
    await start({ 'v.yaml': version('Old') });
    await server.subscribe('newsletter', { email: 'first@example.com' });
    await until(async () => (await runsOf('contactId=1'))[0]?.status === 'waiting');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir.dir}/v.yaml`, version('New'));
    await server.engine.reload();
    await server.subscribe('newsletter', { email: 'second@example.com' });
    expect((await smtp.waitForMail('first@example.com', 10_000, 2)).subject).toBe('Old');
    expect((await smtp.waitForMail('second@example.com', 10_000, 2)).subject).toBe('New');
    const versions = await server.database.db
      .selectFrom('workflow_versions')
      .select('id')
      .execute();
    expect(versions).toHaveLength(2);
  });

  it('re-sends the confirmation, updates the contact, emits events and stops', async () => {
    await start(
      {
        'remind.yaml': `
name: remind
on: subscribeFromApi-newsletter
steps:
  - if: contact.status == "unconfirmed"
    then: [ { send_confirmation: {} } ]
  - update_contact: { firstName: "Reminded", fields: { reminders: 1 } }
  - emit: { event: "reminded", params: { via: "workflow" } }
  - stop: true
  - add_tags: [never]
`,
        'after.yaml': 'name: after\non: reminded\nsteps:\n  - add_tags: ["${via}"]\n',
      },
      {},
    );
    await server.close();
    server = await startTestServer(
      { DATABASE_URL: database.url, SMTP_URL: smtp.url, WORKFLOWS_DIR: dir.dir },
      { confirmationCooldownMs: 0 },
    );
    await server.subscribe('newsletter', { email: 'remind@example.com' });
    const second = await smtp.waitForMail('remind@example.com', 10_000, 2);
    expect(second.subject).toBe('Please confirm your subscription');
    const done = await finishedRun('workflow=remind');
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => s.stepId)).not.toContain('steps.4');
    await until(async () => (await runsOf('workflow=after'))[0]?.status === 'completed');
    expect(await (await server.api('/api/v1/contacts/1')).json()).toMatchObject({
      firstName: 'Reminded',
      fields: { reminders: 1 },
    });
    const tags = await server.database.db.selectFrom('tags').select('name').execute();
    expect(tags.map((t) => t.name)).toEqual(['workflow']);
  });

  it('starts a run only when the workflow-level if filter holds', async () => {
    await start({
      'pro.yaml':
        'name: pro-only\non: subscribeFromApi\nif: contact.fields.plan == "pro" && "Beta" in contact.groups\nsteps:\n  - add_tags: [pro]\n',
    });
    const subscribe = (email: string, fields: object[]) =>
      server.api('/api/v1/contact/subscribe', {
        method: 'POST',
        body: JSON.stringify({
          contact: { channels: [{ type: 'email', value: email }], fields },
          groups: ['Beta'],
        }),
      });
    await subscribe('pro@example.com', [{ id: 'plan', value: 'pro' }]);
    await subscribe('free@example.com', []);
    await until(async () => (await runsOf('workflow=pro-only'))[0]?.status === 'completed');
    // Runs are started in the transaction that marks their event dispatched.
    await waitForDispatched(server.database.db);
    const runs = await runsOf('workflow=pro-only');
    expect(runs.map((r) => [r.status])).toEqual([['completed']]);
    expect(await runsOf('contactId=2')).toEqual([]);
  });
});
