// Repeated reports about one mail: a retry changes nothing, but a hard bounce after a soft one counts.
import { describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';

describe.each(testDialects())('repeated feedback on %s', (dialect) => {
  const server = serverPerSuite(dialect);
  const report = async (body: Record<string, unknown>) =>
    (await (
      await server.api('/api/v1/webhooks/mail-feedback', {
        method: 'POST',
        body: JSON.stringify(body),
      })
    ).json()) as { applied: number; duplicates: number };

  it('suppresses on a hard bounce that follows a soft bounce of the same mail', async () => {
    const email = 'full.then.gone@example.org';
    const created = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({ contact: { channels: [{ type: 'email', value: email }] } }),
    });
    const { id } = (await created.json()) as { id: number };
    await waitForDrainedOutbox(server.database.db);
    const sent = (await (await server.api('/api/v1/activities?action=sent')).json()) as {
      items: { contactId: number; messageId: string }[];
    };
    const messageId = sent.items.find((a) => a.contactId === id)?.messageId;
    expect(messageId).toBeDefined();

    const soft = { type: 'bounce', email, messageId, bounceType: 'soft', status: '4.2.2' };
    expect(await report(soft)).toMatchObject({ applied: 1 });
    expect(await report(soft)).toMatchObject({ applied: 0, duplicates: 1 });
    const hard = { type: 'bounce', email, messageId, bounceType: 'hard', status: '5.1.1' };
    expect(await report(hard)).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await report(hard)).toMatchObject({ applied: 0, duplicates: 1 });

    const listed = await (await server.api('/api/v1/suppressions')).json();
    expect(listed.items.map((s: { email: string }) => s.email)).toEqual([email]);
    const contact = await (await server.api(`/api/v1/contacts/${id}`)).json();
    expect(contact.status).toBe('bounced');
  });
});
