// Who a subscriber is: concurrent subscribes lose nothing, and an anonymous post never takes over a contact.
import { describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { mailingServerPerTest } from './helpers/mailing-server.ts';
import { confirmLinkIn } from './helpers/smtp.ts';

const PHONES = ['+380942583691', '+491712345678', '+447700900123', '+33612345678'];

describe.each(testDialects())('subscriber identity on %s', (dialect) => {
  const { server, smtp } = mailingServerPerTest(dialect, {
    form: {
      id: 'join',
      name: 'Join',
      groups: ['Members'],
      fields: [
        { name: 'email', type: 'email' },
        { name: 'phone', type: 'tel' },
        { name: 'firstName', type: 'text' },
        { name: 'plan', type: 'text' },
      ],
    },
  });

  const apiSubscribe = (channels: object[], extra: object = {}) =>
    server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({ contact: { channels, ...extra }, formType: 'crm' }),
    });
  const phoneOnly = async (phone: string, extra: object = {}, groups: string[] = []) => {
    const res = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({
        contact: { channels: [{ type: 'sms', value: phone }], ...extra },
        groups,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: number }).id;
  };
  const contact = async (id: number) =>
    (await (await server.api(`/api/v1/contacts/${id}`)).json()) as Record<string, unknown>;
  const byEmail = (email: string) =>
    server.database.db
      .selectFrom('contacts')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();

  it('stores every acknowledged subscribe when many run at once over shared phones', async () => {
    const strangers = [await phoneOnly(PHONES[0] as string), await phoneOnly(PHONES[1] as string)];
    const requests = Array.from({ length: 24 }, (_, i) => {
      const email = `hammer${i}@example.com`;
      const phone = PHONES[i % PHONES.length] as string;
      // Every third is the authenticated API, which may attach the email to a phone-only contact once.
      const res =
        i % 3 === 0
          ? apiSubscribe([
              { type: 'email', value: email },
              { type: 'sms', value: phone },
            ])
          : server.subscribe('join', { email, phone });
      return res.then((r) => ({ email, status: r.status }));
    });
    const answers = await Promise.all(requests);
    // A refused API call (an identity of another contact) is fine; a lost acknowledged one is not.
    for (const a of answers) expect(a.status).toBeLessThan(500);
    const acknowledged = answers.filter((a) => a.status === 200 || a.status === 202);
    expect(acknowledged.filter((a) => a.status === 202)).toHaveLength(16);

    for (const { email } of acknowledged) {
      const row = await byEmail(email);
      expect(row, email).toBeDefined();
      const id = row?.id as number;
      const events = await server.database.db
        .selectFrom('events')
        .select('type')
        .where('contact_id', '=', id)
        .execute();
      expect(events.map((e) => e.type).some((t) => t.startsWith('subscribe'))).toBe(true);
      const consents = await server.database.db
        .selectFrom('consents')
        .select('kind')
        .where('contact_id', '=', id)
        .execute();
      expect(consents.map((c) => c.kind)).toContain('subscribe');
      const link = confirmLinkIn(await smtp.waitForMail(email));
      const confirmed = await fetch(link, { method: 'POST' });
      expect(confirmed.status, email).toBe(200);
      expect((await contact(id)).status).toBe('confirmed');
    }
    // Each phone-only stranger got at most the one email the API vouched for, none from a form.
    for (const id of strangers) {
      const email = (await contact(id)).email as string | null;
      if (email !== null) expect(acknowledged.map((a) => a.email)).toContain(email);
      if (email !== null) expect(Number(/\d+/.exec(email)?.[0]) % 3).toBe(0);
    }
  });

  it('never gives a stranger’s phone-only contact the email, name, fields or groups of a public post', async () => {
    const strangerId = await phoneOnly(PHONES[0] as string, { firstName: 'Stella' }, ['VIP']);
    const res = await server.subscribe('join', {
      email: 'mallory@example.com',
      phone: PHONES[0],
      firstName: 'Mallory',
      plan: 'pro',
    });
    expect(res.status).toBe(202);

    expect(await contact(strangerId)).toMatchObject({
      email: null,
      phone: PHONES[0],
      firstName: 'Stella',
      fields: {},
      groups: ['VIP'],
      pendingGroups: [],
    });
    const own = await byEmail('mallory@example.com');
    expect(own?.id).not.toBe(strangerId);
    expect(await contact(own?.id as number)).toMatchObject({
      phone: null,
      firstName: 'Mallory',
      fields: { plan: 'pro' },
    });
    await smtp.waitForMail('mallory@example.com');
  });

  it('never adds a phone to an existing contact from a public post', async () => {
    await server.subscribe('join', { email: 'ann@example.com' });
    await smtp.waitForMail('ann@example.com');
    await server.subscribe('join', { email: 'ann@example.com', phone: PHONES[2] });
    const ann = await byEmail('ann@example.com');
    expect(ann?.phone).toBeNull();
  });

  it('answers 422 naming the contacts when the API names identities of other contacts', async () => {
    const bob = await apiSubscribe([
      { type: 'email', value: 'bob@example.com' },
      { type: 'sms', value: PHONES[0] },
    ]);
    const bobId = ((await bob.json()) as { id: number }).id;
    const carl = await apiSubscribe([{ type: 'email', value: 'carl@example.com' }]);
    const carlId = ((await carl.json()) as { id: number }).id;

    const split = await apiSubscribe([
      { type: 'email', value: 'carl@example.com' },
      { type: 'sms', value: PHONES[0] },
    ]);
    expect(split.status).toBe(422);
    expect(((await split.json()) as { error: { contactIds: number[] } }).error.contactIds).toEqual([
      carlId,
      bobId,
    ]);

    const otherEmail = await apiSubscribe([
      { type: 'email', value: 'dora@example.com' },
      { type: 'sms', value: PHONES[0] },
    ]);
    expect(otherEmail.status).toBe(422);
    expect(await otherEmail.json()).toMatchObject({
      error: { code: 'identity_conflict', contactIds: [bobId] },
    });
    expect(await byEmail('dora@example.com')).toBeUndefined();
    expect(await contact(bobId)).toMatchObject({ email: 'bob@example.com', phone: PHONES[0] });
  });
});
