// The spine end to end: subscribe, DOI mail over real SMTP, confirm, events — on each dialect.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withTransaction } from '../server/db/unit-of-work.ts';
import { enqueueMail } from '../server/mail/outbox/enqueue-mail.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';
import { confirmLinkIn, TestSmtp } from './helpers/smtp.ts';

describe.each(testDialects())('subscribe and confirm on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    server = await startTestServer({ DATABASE_URL: database.url, SMTP_URL: smtp.url });
  });

  afterEach(async () => {
    await server.close();
    await smtp.stop();
    await database.drop();
  });

  const events = async (contactId: number) => {
    const res = await server.api(`/api/v1/events?contactId=${contactId}`);
    const body = (await res.json()) as { items: { type: string; key: string; params: object }[] };
    return body.items.reverse();
  };
  const contact = async (id: number) =>
    (await (await server.api(`/api/v1/contacts/${id}`)).json()) as {
      status: string;
      firstName: string;
      groups: string[];
    };

  it('confirms through the mailed link: GET changes nothing, POST confirms, events carry the formType', async () => {
    const res = await server.subscribe('newsletter', {
      email: 'Ann@Example.com',
      firstName: 'Ann',
    });
    expect(res.status).toBe(202);

    const mail = await smtp.waitForMail('ann@example.com');
    expect(mail.subject).toBe('Please confirm your subscription');
    expect(mail.text).not.toContain('Ann');
    expect(mail.html).toContain('/confirm/');
    expect(mail.messageId).toMatch(/^<[0-9a-f]{20}\.\d+@localhost>$/);
    expect(mail.rawHeaders['list-unsubscribe']).toBeUndefined();
    const link = confirmLinkIn(mail);
    expect(new URL(link).port).toBe(String(server.port));

    const [created] = await events(1);
    expect(created).toEqual(
      expect.objectContaining({
        type: 'subscribeFromApi-newsletter',
        key: '1',
        params: { ContactId: 1, EmailAddress: 'ann@example.com' },
      }),
    );
    const contactId = 1;

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await contact(contactId)).status).toBe('unconfirmed');

    const confirmed = await fetch(link, { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('your subscription is confirmed');
    expect(await contact(contactId)).toMatchObject({
      status: 'confirmed',
      firstName: 'Ann',
      groups: ['Newsletter'],
    });

    const again = await fetch(link, { method: 'POST' });
    expect(again.status).toBe(200);
    expect((await events(contactId)).map((e) => [e.type, e.params])).toEqual([
      ['subscribeFromApi-newsletter', { ContactId: 1, EmailAddress: 'ann@example.com' }],
      ['emailConfirmed-newsletter', { ContactId: 1, EmailAddress: 'ann@example.com' }],
    ]);
  });

  it('names events without a suffix when the API call has no formType, and creates unknown groups', async () => {
    const res = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({
        contact: {
          channels: [
            { type: 'email', value: 'bob@example.com' },
            { type: 'sms', value: '+380942583691' },
          ],
          firstName: 'Bob',
          address: { town: 'London' },
          fields: [{ id: 12345, value: 'pro' }],
        },
        groups: ['Subscribers', 'Beta'],
      }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    expect(await contact(id)).toMatchObject({
      status: 'unconfirmed',
      groups: ['Beta', 'Subscribers'],
      phone: '+380942583691',
      fields: { '12345': 'pro' },
      address: { town: 'London' },
    });

    const link = confirmLinkIn(await smtp.waitForMail('bob@example.com'));
    await fetch(link, { method: 'POST' });
    expect((await events(id)).map((e) => [e.type, e.params])).toEqual([
      ['subscribeFromApi', { ContactId: id, EmailAddress: 'bob@example.com' }],
      ['emailConfirmed', { ContactId: id, EmailAddress: 'bob@example.com' }],
    ]);
  });

  it('omits EmailAddress for a phone-only subscriber and sends no mail', async () => {
    const res = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({
        contact: { channels: [{ type: 'sms', value: '+1 555 012 3456' }] },
        formType: 'sms',
      }),
    });
    const { id } = (await res.json()) as { id: number };
    // Possible but not a valid number: accepted, and flagged so in the metadata.
    expect(await contact(id)).toMatchObject({
      phone: '+15550123456',
      phoneMeta: { isPossible: true, isValid: false },
    });
    expect((await events(id)).map((e) => [e.type, e.params])).toEqual([
      ['subscribeFromApi-sms', { ContactId: id }],
    ]);
    await waitForDrainedOutbox(server.database.db);
    expect(smtp.mails).toHaveLength(0);
  });

  it('updates instead of duplicating, keeps the cooldown and answers identically for every state', async () => {
    const body = { email: 'cat@example.com' };
    const first = await server.subscribe('newsletter', body);
    const firstText = await first.text();
    await smtp.waitForMail('cat@example.com');

    const second = await server.subscribe('newsletter', body);
    expect(second.status).toBe(202);
    expect(await second.text()).toBe(firstText);
    expect((await events(1)).map((e) => e.type)).toEqual([
      'subscribeFromApi-newsletter',
      'subscribeUpdateFromApi-newsletter',
    ]);
    await waitForDrainedOutbox(server.database.db);
    expect(smtp.mailsTo('cat@example.com')).toHaveLength(1);
    const list = (await (
      await server.api('/api/v1/events?type=subscribeFromApi-newsletter')
    ).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);

    // Confirmed: same answer, no mail, status unchanged.
    await fetch(confirmLinkIn(await smtp.waitForMail('cat@example.com')), { method: 'POST' });
    const confirmed = await server.subscribe('newsletter', body);
    expect(await confirmed.text()).toBe(firstText);
    expect((await contact(1)).status).toBe('confirmed');

    // Unsubscribed: same answer, still unsubscribed, and no mail within the cooldown of the first.
    const { unsubscribeUrl } = await import('../server/confirm/unsubscribe.ts');
    const { loadSecretKey } = await import('../server/settings/secret-key.ts');
    const secret = await loadSecretKey(server.database.db, undefined);
    const oneClick = await fetch(unsubscribeUrl(server.url, secret, 1), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect((await contact(1)).status).toBe('unsubscribed');
    const unsubscribed = await server.subscribe('newsletter', body);
    expect(unsubscribed.status).toBe(202);
    expect(await unsubscribed.text()).toBe(firstText);
    expect((await contact(1)).status).toBe('unsubscribed');
    await waitForDrainedOutbox(server.database.db);
    expect(smtp.mailsTo('cat@example.com').map((m) => m.subject)).toEqual([
      'Please confirm your subscription',
    ]);
    expect((await events(1)).map((e) => e.type)).toContain('unsubscribed');
  });

  it('puts RFC 8058 one-click unsubscribe headers on every mail but the confirmation', async () => {
    await server.subscribe('newsletter', { email: 'fay@example.com' });
    const confirmation = await smtp.waitForMail('fay@example.com');
    expect(confirmation.rawHeaders['list-unsubscribe']).toBeUndefined();

    await withTransaction({ db: server.database.db, wakeups: server.wakeups }, (tx) =>
      enqueueMail(
        tx,
        {
          kind: 'message',
          idempotencyKey: 'test:newsletter-1',
          contactId: 1,
          to: 'fay@example.com',
          subject: 'News',
          text: 'Hello',
          html: '<p>Hello</p>',
        },
        Date.now(),
      ),
    );
    const news = await smtp.waitForMail('fay@example.com', 10_000, 2);
    expect(news.rawHeaders['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(http[^>]+)>$/.exec(news.rawHeaders['list-unsubscribe'] ?? '')?.[1] as string;
    expect(url).toMatch(/\/unsubscribe\/1\./);

    expect((await fetch(url)).status).toBe(200);
    expect((await contact(1)).status).toBe('unconfirmed');
    const oneClick = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect((await contact(1)).status).toBe('unsubscribed');
    expect((await events(1)).map((e) => e.type)).toEqual([
      'subscribeFromApi-newsletter',
      'unsubscribed',
    ]);
    const tampered = url.replace(/\/unsubscribe\/1\./, '/unsubscribe/2.');
    expect((await fetch(tampered, { method: 'POST' })).status).toBe(404);
  });

  it('lets a new confirmation out once the cooldown has passed, up to the daily cap', async () => {
    await server.close();
    server = await startTestServer(
      { DATABASE_URL: database.url, SMTP_URL: smtp.url },
      { confirmationCooldownMs: 0, confirmationsPerDay: 2 },
    );
    for (let i = 0; i < 4; i++) await server.subscribe('newsletter', { email: 'dan@example.com' });
    await smtp.waitForMail('dan@example.com', 10_000, 2);
    await waitForDrainedOutbox(server.database.db);
    expect(smtp.mailsTo('dan@example.com')).toHaveLength(2);
  });
});
