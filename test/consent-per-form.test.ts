// Consent is per form: a form's groups wait for that form's link; old or foreign links confirm nothing.
import { describe, expect, it } from 'vitest';
import { unsubscribeUrl } from '../server/confirm/unsubscribe.ts';
import { loadSecretKey } from '../server/settings/secret-key.ts';
import { testDialects } from './helpers/databases.ts';
import { mailingServerPerTest } from './helpers/mailing-server.ts';
import { confirmLinkIn } from './helpers/smtp.ts';
import { until } from './helpers/workflow-dir.ts';

describe.each(testDialects())('consent per form on %s', (dialect) => {
  // No cooldown: these tests send several links to one address on purpose.
  const { server, smtp } = mailingServerPerTest(dialect, {
    timings: { confirmationCooldownMs: 0, confirmationsPerDay: 50 },
    form: {
      id: 'launch',
      name: 'Launch',
      groups: ['Launch'],
      fields: [
        { name: 'email', type: 'email' },
        { name: 'firstName', type: 'text' },
        { name: 'plan', type: 'text' },
      ],
    },
  });

  const contact = async (id: number) =>
    (await (await server.api(`/api/v1/contacts/${id}`)).json()) as Record<string, unknown>;
  const eventTypes = async (id: number) => {
    const rows = await server.database.db
      .selectFrom('events')
      .select('type')
      .where('contact_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.type);
  };
  const idOf = async (email: string) =>
    (
      await server.database.db
        .selectFrom('contacts')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).id;
  /** Subscribes, waits for mail number `n` to the address and confirms it. */
  const subscribeAndConfirm = async (form: string, email: string, n: number) => {
    expect((await server.subscribe(form, { email })).status).toBe(202);
    const link = confirmLinkIn(await smtp.waitForMail(email, 10_000, n));
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
  };
  const unsubscribe = async (id: number) => {
    const secret = await loadSecretKey(server.database.db, undefined);
    const res = await fetch(unsubscribeUrl(server.url, secret, id), { method: 'POST' });
    expect(res.status).toBe(200);
  };
  /** Waits until the outbox has nothing left to send: no more mail can arrive after this. */
  const drained = () =>
    until(async () => {
      const rows = await server.database.db
        .selectFrom('outbox')
        .select('id')
        .where('status', '!=', 'sent')
        .execute();
      return rows.length === 0;
    });

  it('keeps a new contact’s groups pending until the form’s link is confirmed', async () => {
    await server.subscribe('newsletter', { email: 'ann@example.com' });
    const id = await idOf('ann@example.com');
    expect(await contact(id)).toMatchObject({ groups: [], pendingGroups: ['Newsletter'] });
    await fetch(confirmLinkIn(await smtp.waitForMail('ann@example.com')), { method: 'POST' });
    expect(await contact(id)).toMatchObject({
      status: 'confirmed',
      groups: ['Newsletter'],
      pendingGroups: [],
    });
  });

  it('asks an address confirmed on one form to confirm another before joining it or changing it', async () => {
    const first = await server.subscribe('newsletter', { email: 'bea@example.com' });
    const body = await first.text();
    await fetch(confirmLinkIn(await smtp.waitForMail('bea@example.com')), { method: 'POST' });
    const id = await idOf('bea@example.com');

    const other = await server.subscribe('launch', {
      email: 'bea@example.com',
      firstName: 'Mallory',
      plan: 'pro',
    });
    expect(other.status).toBe(202);
    expect(await other.text()).toBe(body);
    expect(await contact(id)).toMatchObject({
      status: 'confirmed',
      firstName: null,
      fields: {},
      groups: ['Newsletter'],
      pendingGroups: ['Launch'],
    });

    const link = confirmLinkIn(await smtp.waitForMail('bea@example.com', 10_000, 2));
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect(await contact(id)).toMatchObject({
      firstName: 'Mallory',
      fields: { plan: 'pro' },
      groups: ['Launch', 'Newsletter'],
      pendingGroups: [],
    });
    expect(await eventTypes(id)).toEqual([
      'subscribeFromApi-newsletter',
      'emailConfirmed-newsletter',
      'subscribeUpdateFromApi-launch',
      'emailConfirmed-launch',
    ]);
  });

  it('fills only empty values on confirmation, never overwriting what the contact has', async () => {
    await server.subscribe('launch', { email: 'cy@example.com', firstName: 'Cy' });
    await fetch(confirmLinkIn(await smtp.waitForMail('cy@example.com')), { method: 'POST' });
    await server.subscribe('launch', { email: 'cy@example.com', firstName: 'Eve', plan: 'pro' });
    await server.subscribe('newsletter', { email: 'cy@example.com', firstName: 'Eve' });
    const link = confirmLinkIn(await smtp.waitForMail('cy@example.com', 10_000, 2));
    await fetch(link, { method: 'POST' });
    expect(await contact(await idOf('cy@example.com'))).toMatchObject({
      firstName: 'Cy',
      fields: {},
      groups: ['Launch', 'Newsletter'],
    });
  });

  it('sends no mail to an address confirmed and already in all of the form’s groups', async () => {
    const first = await server.subscribe('newsletter', { email: 'dan@example.com' });
    const body = await first.text();
    await fetch(confirmLinkIn(await smtp.waitForMail('dan@example.com')), { method: 'POST' });
    const again = await server.subscribe('newsletter', { email: 'dan@example.com' });
    expect(await again.text()).toBe(body);
    await drained();
    const queued = await server.database.db
      .selectFrom('outbox')
      .select('id')
      .where('to_address', '=', 'dan@example.com')
      .execute();
    expect(queued).toHaveLength(1);
    expect(smtp.mailsTo('dan@example.com')).toHaveLength(1);
    expect((await contact(await idOf('dan@example.com'))).pendingGroups).toEqual([]);
  });

  it('lets an unsubscribed address come back through a form, with a new link', async () => {
    await subscribeAndConfirm('newsletter', 'eva@example.com', 1);
    const id = await idOf('eva@example.com');
    await unsubscribe(id);
    expect((await contact(id)).status).toBe('unsubscribed');

    const back = await server.subscribe('newsletter', { email: 'eva@example.com' });
    expect(back.status).toBe(202);
    const link = confirmLinkIn(await smtp.waitForMail('eva@example.com', 10_000, 2));
    expect((await contact(id)).status).toBe('unsubscribed');
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect(await contact(id)).toMatchObject({ status: 'confirmed', unsubscribedAt: null });
    expect(await eventTypes(id)).toEqual([
      'subscribeFromApi-newsletter',
      'emailConfirmed-newsletter',
      'unsubscribed',
      'subscribeUpdateFromApi-newsletter',
      'emailConfirmed-newsletter',
    ]);
  });

  it('does not let a link issued before an unsubscribe confirm the contact again', async () => {
    await server.subscribe('newsletter', { email: 'fay@example.com' });
    const old = confirmLinkIn(await smtp.waitForMail('fay@example.com'));
    const id = await idOf('fay@example.com');
    await unsubscribe(id);

    const page = await fetch(old);
    expect(page.status).toBe(410);
    expect(await page.text()).not.toContain('<form method="post"');
    expect((await fetch(old, { method: 'POST' })).status).toBe(410);
    expect((await contact(id)).status).toBe('unsubscribed');
    expect(await eventTypes(id)).not.toContain('emailConfirmed-newsletter');

    // A link from a subscribe after the unsubscribe does bring the contact back.
    await server.subscribe('newsletter', { email: 'fay@example.com' });
    const fresh = confirmLinkIn(await smtp.waitForMail('fay@example.com', 10_000, 2));
    expect((await fetch(fresh, { method: 'POST' })).status).toBe(200);
    expect((await contact(id)).status).toBe('confirmed');
  });

  it('does not let a link confirm a contact whose email has changed since', async () => {
    await server.subscribe('newsletter', { email: 'gus@example.com' });
    const link = confirmLinkIn(await smtp.waitForMail('gus@example.com'));
    const id = await idOf('gus@example.com');
    await server.database.db
      .updateTable('contacts')
      .set({ email: 'new-gus@example.com' })
      .where('id', '=', id)
      .execute();

    expect((await fetch(link)).status).toBe(404);
    expect((await fetch(link, { method: 'POST' })).status).toBe(404);
    expect(await contact(id)).toMatchObject({
      email: 'new-gus@example.com',
      status: 'unconfirmed',
      groups: [],
    });
    expect(await eventTypes(id)).toEqual(['subscribeFromApi-newsletter']);
  });

  it('answers every address state with the same bytes', async () => {
    const bodies = new Set<string>();
    const post = async (email: string) => {
      const res = await server.subscribe('newsletter', { email });
      expect(res.status).toBe(202);
      bodies.add(await res.text());
    };
    await post('new@example.com');
    await post('new@example.com');
    await subscribeAndConfirm('launch', 'other-form@example.com', 1);
    await post('other-form@example.com');
    await subscribeAndConfirm('newsletter', 'gone@example.com', 1);
    await unsubscribe(await idOf('gone@example.com'));
    await post('gone@example.com');
    expect(bodies.size).toBe(1);
  });
});
