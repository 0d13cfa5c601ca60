// A report or a click that arrives after a contact was erased must not attach personal data to it again.
import { describe, expect, it } from 'vitest';
import { clickUrl } from '../server/deliverability/tracking/tracking-links.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';

interface Activity {
  action: string;
  contactId: number | null;
  email: string | null;
  messageId: string | null;
  detail: Record<string, unknown> | null;
}

describe.each(testDialects())('late feedback about an erased contact on %s', (dialect) => {
  const secret = 'late-feedback-secret-key-of-32-characters';
  const server = serverPerSuite(dialect, { SECRET_KEY: secret });
  const activities = async (action: string) =>
    (
      (await (await server.api(`/api/v1/activities?action=${action}`)).json()) as {
        items: Activity[];
      }
    ).items;

  it('records a bounce of its mail without the address or the receiver’s words', async () => {
    const email = 'late.bounce@example.org';
    const created = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify({
        contact: { channels: [{ type: 'email', value: email }] },
        formType: 'news',
      }),
    });
    const { id } = (await created.json()) as { id: number };
    await waitForDrainedOutbox(server.database.db);
    const sent = (await activities('sent')).find((a) => a.contactId === id);
    expect(sent?.messageId).toMatch(/^<.+>$/);
    expect(
      (await server.api(`/api/v1/contacts/${id}?erase=true`, { method: 'DELETE' })).status,
    ).toBe(200);

    const report = await server.api('/api/v1/webhooks/mail-feedback', {
      method: 'POST',
      body: JSON.stringify({
        type: 'bounce',
        email,
        messageId: sent?.messageId,
        status: '5.1.1',
        diagnostic: `550 5.1.1 <${email}>: user unknown`,
      }),
    });
    expect(await report.json()).toMatchObject({ applied: 1 });
    const bounced = (await activities('bounced')).filter((a) => a.contactId === id);
    expect(bounced).toHaveLength(1);
    expect(JSON.stringify(bounced)).not.toContain(email);

    // A click on a link of that mail (its outbox id is in its Message-ID) keeps no URL either.
    const outboxId = Number(/\.(\d+)@/.exec(sent?.messageId ?? '')?.[1]);
    const link = clickUrl(server.url, secret, outboxId, `https://shop.example/for?u=${email}`);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    const clicked = (await activities('clicked')).filter((a) => a.contactId === id);
    expect(clicked).toHaveLength(1);
    expect(JSON.stringify(clicked)).not.toContain(email);
  });
});
