// Deliverability end to end: DKIM verified by mailauth, tracked clicks resuming a run, a DSN bounce
// to a mail's signed return path suppressing the address (and forged reports changing nothing),
// provider webhooks, and a funnel summary that matches the activity log.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in plain strings are workflow templates, not mistakes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import {
  arfReport,
  BOUNCE_ADDRESS,
  dkimEnv,
  dkimVerdict,
  dsnReport,
  sendReport,
} from './helpers/deliverability.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';
import type { ReceivedMail } from './helpers/smtp.ts';
import { until } from './helpers/workflow-dir.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

const OFFER = 'https://shop.example/offer?a=1&b=2';

const WORKFLOWS = {
  'offer.yaml': `
name: offer
on: subscribeFromApi-newsletter
steps:
  - id: offer
    send_email:
      subject: "Our offer"
      html: '<p>Hello</p><p><a href="https://shop.example/offer?a=1&amp;b=2">See the offer</a></p>'
  - id: clicked
    wait_for: { event: "emailClicked*", timeout: 1d }
`,
  'plain.yaml': `
name: plain
on: subscribeFromApi-newsletter
tracking: false
steps:
  - send_email: { subject: "Untracked", html: '<a href="https://shop.example/plain">plain</a>' }
`,
  'again.yaml': `
name: again
on: sendAgain
reentry: always
steps:
  - send_email: { to: "\${EmailAddress}", subject: "Again", text: "Once more" }
`,
};

interface Activity {
  action: string;
  contactId: number | null;
  email: string | null;
  url: string | null;
  messageId: string | null;
  detail: Record<string, unknown> | null;
}

const unescapeHref = (href: string) => href.replace(/&amp;/g, '&');

describe.each(testDialects())('deliverability on %s', (dialect) => {
  let env: WorkflowServer;
  const api = (path: string, init?: RequestInit) => env.server.api(`/api/v1${path}`, init);
  const json = async <T>(path: string, init?: RequestInit) =>
    (await (await api(path, init)).json()) as T;
  const contactOf = async (email: string) =>
    (await json<{ items: { id: number; status: string }[] }>(`/contacts?email=${email}`))
      .items[0] as { id: number; status: string };
  const mailWithSubject = (to: string, subject: string) =>
    until(async () => env.smtp.mailsTo(to).find((m) => m.subject === subject));
  const mailboxPort = () => {
    const port = env.server.bounceMailboxPort;
    if (!port) throw new Error('the bounce mailbox did not start');
    return port;
  };

  beforeAll(async () => {
    env = await startWorkflowServer(dialect, WORKFLOWS, {
      ...dkimEnv,
      BOUNCE_ADDRESS,
      BOUNCE_SMTP_PORT: '0',
    });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('signs mail with DKIM, tracks workflow mail only, and a click resumes wait_for', async () => {
    const email = 'ann@example.org';
    expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    const offer = await mailWithSubject(email, 'Our offer');
    const plain = await mailWithSubject(email, 'Untracked');
    const confirmation = env.smtp
      .mailsTo(email)
      .find((m) => /\/confirm\//.test(m.text)) as ReceivedMail;
    expect(confirmation).toBeDefined();

    for (const mail of [confirmation, offer, plain]) {
      expect(mail.rawHeaders['dkim-signature']).toContain('d=lists.example.com');
      expect(await dkimVerdict(mail.raw)).toEqual({ result: 'pass', domain: 'lists.example.com' });
      // Each mail's envelope sender is its own signed sub-address of BOUNCE_ADDRESS.
      expect(mail.envelope.mailFrom).toMatch(/^bounces\+\d+-[0-9a-f]{16}@lists\.example\.com$/);
      expect(mail.envelope.rcptTo).toEqual([email]);
    }
    expect(new Set([confirmation, offer, plain].map((m) => m.envelope.mailFrom)).size).toBe(3);
    const altered = Buffer.from(offer.raw.toString('latin1').replace('Hello', 'Hallo'), 'latin1');
    expect((await dkimVerdict(altered)).result).not.toBe('pass');
    // Never tracked: the confirmation, and a workflow that says tracking: false.
    expect(confirmation.html).not.toContain('/t/');
    expect(plain.html).toContain('href="https://shop.example/plain"');
    expect(plain.html).not.toContain('/t/');

    const hrefs = [...offer.html.matchAll(/href="([^"]+)"/g)].map((m) => unescapeHref(m[1] ?? ''));
    const tracked = hrefs.find((h) => h.includes('/t/c/')) as string;
    expect(tracked).toBeDefined();
    expect(hrefs.some((h) => h.includes('/unsubscribe/'))).toBe(true);
    expect(hrefs).not.toContain(OFFER);
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(offer.html)?.[1] as string;
    expect(pixel).toBeDefined();
    const local = (url: string) => {
      const u = new URL(url);
      return `${env.server.url}${u.pathname}${u.search}`;
    };

    // Forged: another URL under a real signature, or the right URL under another signature.
    const forgedUrl = new URL(local(tracked));
    forgedUrl.searchParams.set('u', 'https://evil.example/');
    const forgedSignature = local(tracked).replace(/\/t\/c\/(\d+)\/[^/?]+/, '/t/c/$1/AAAA');
    for (const forged of [forgedUrl.toString(), forgedSignature]) {
      const res = await fetch(forged, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }

    const click = await fetch(local(tracked), { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(OFFER);
    const open = await fetch(local(pixel));
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('image/gif');

    const run = await env.finishedRun('workflow=offer');
    expect(run.status).toBe('completed');
    const waited = run.steps.find((s) => s.stepId === 'clicked')?.output as {
      received: boolean;
      event: { type: string; params: Record<string, unknown> };
    };
    expect(waited.received).toBe(true);
    expect(waited.event.type).toBe('emailClicked');
    expect(waited.event.params).toMatchObject({
      Url: OFFER,
      Workflow: 'offer',
      Step: 'offer',
      MessageId: offer.messageId,
      EmailAddress: email,
    });

    const clicks = await json<{ items: Activity[] }>('/activities?action=clicked');
    expect(clicks.items).toHaveLength(1);
    expect(clicks.items[0]).toMatchObject({ url: OFFER, messageId: offer.messageId });

    // The unsubscribe link is left as written, and using it is an activity too.
    const unsubscribe = hrefs.find((h) => h.includes('/unsubscribe/')) as string;
    expect((await fetch(local(unsubscribe), { method: 'POST' })).status).toBe(200);
    const left = await json<{ items: Activity[] }>('/activities?action=unsubscribed');
    expect(left.items).toEqual([
      expect.objectContaining({ contactId: (await contactOf(email)).id }),
    ]);
  });

  it('a DSN hard bounce marks the contact bounced and no further mail is queued for it', async () => {
    const email = 'gone@example.org';
    expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    const offer = await mailWithSubject(email, 'Our offer');
    await sendReport(
      mailboxPort(),
      offer.envelope.mailFrom,
      dsnReport({ recipient: email, messageId: offer.messageId, status: '5.1.1' }),
    );
    const contact = await until(async () => {
      const c = await contactOf(email);
      return c.status === 'bounced' ? c : undefined;
    });
    const suppressions = await json<{ items: { email: string; reason: string }[] }>(
      '/suppressions',
    );
    expect(suppressions.items).toContainEqual(expect.objectContaining({ email, reason: 'bounce' }));
    const events = await json<{ items: { params: Record<string, unknown> }[] }>(
      `/events?type=emailBounced&contactId=${contact.id}`,
    );
    expect(events.items[0]?.params).toMatchObject({
      MessageId: offer.messageId,
      BounceType: 'hard',
      Status: '5.1.1',
      Workflow: 'offer',
    });

    const outboxRows = () =>
      env.server.database.db
        .selectFrom('outbox')
        .select('id')
        .where('to_address', '=', email)
        .execute();
    const before = (await outboxRows()).length;
    // A workflow mail with an explicit `to` (no status check in the step) and a new subscribe.
    const sent = await api('/events', {
      method: 'POST',
      body: JSON.stringify({ type: 'sendAgain', email }),
    });
    expect(sent.status).toBe(201);
    const run = await env.finishedRun('workflow=again');
    expect(run.status).toBe('completed');
    expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    await waitForDrainedOutbox(env.server.database.db);
    expect(await outboxRows()).toHaveLength(before);
    expect(env.smtp.mailsTo(email).filter((m) => m.subject === 'Again')).toHaveLength(0);
  });

  it('an ARF complaint in the bounce mailbox unsubscribes the contact', async () => {
    const email = 'dave@example.org';
    expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    const offer = await mailWithSubject(email, 'Our offer');
    await sendReport(
      mailboxPort(),
      offer.envelope.mailFrom,
      arfReport({ recipient: email, messageId: offer.messageId }),
    );
    const contact = await until(async () => {
      const c = await contactOf(email);
      return c.status === 'unsubscribed' ? c : undefined;
    });
    const events = await json<{ items: { params: Record<string, unknown> }[] }>(
      `/events?type=emailComplained&contactId=${contact.id}`,
    );
    expect(events.items[0]?.params).toMatchObject({ MessageId: offer.messageId, Step: 'offer' });
    const suppressions = await json<{ items: { email: string; reason: string }[] }>(
      '/suppressions?reason=complaint',
    );
    expect(suppressions.items.map((s) => s.email)).toEqual([email]);
  });

  it("takes reports only at a mail's signed return path, about that mail's recipient", async () => {
    const eve = 'eve@example.org';
    const frank = 'frank@example.org';
    for (const email of [eve, frank])
      expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    const evesOffer = await mailWithSubject(eve, 'Our offer');
    const franksOffer = await mailWithSubject(frank, 'Our offer');
    const aboutEve = (status: string) =>
      dsnReport({ recipient: eve, messageId: evesOffer.messageId, status });
    // Their rows record the Message-ID the cross-check compares with once they are marked sent.
    await waitForDrainedOutbox(env.server.database.db);
    const signed = (mail: ReceivedMail) =>
      /^bounces\+(\d+)-([0-9a-f]{16})@/.exec(mail.envelope.mailFrom)?.slice(1) ?? [];
    const [evesId] = signed(evesOffer);
    const [, franksSignature] = signed(franksOffer);

    // BOUNCE_ADDRESS itself, a made-up signature and another mail's signature are refused at
    // RCPT TO, all with one answer.
    const refused = [
      BOUNCE_ADDRESS,
      `bounces+${evesId}-${'0'.repeat(16)}@lists.example.com`,
      `bounces+${evesId}-${franksSignature}@lists.example.com`,
    ];
    for (const to of refused) {
      const error = await sendReport(mailboxPort(), to, aboutEve('5.1.1')).catch((e: unknown) => e);
      expect(error, to).toMatchObject({ responseCode: 550 });
      expect(String((error as Error).message), to).toContain('no such mailbox');
    }
    // Frank's real return path and Message-ID, but reports naming Eve (a DSN, then a complaint):
    // acknowledged once handled, and ignored, since Frank's mail went to Frank.
    const franksMail = { recipient: eve, messageId: franksOffer.messageId };
    await sendReport(
      mailboxPort(),
      franksOffer.envelope.mailFrom,
      dsnReport({ ...franksMail, status: '5.1.1' }),
    );
    await sendReport(mailboxPort(), franksOffer.envelope.mailFrom, arfReport(franksMail));
    // Frank's own address under another mail's Message-ID is no report about Frank's mail either.
    await sendReport(
      mailboxPort(),
      franksOffer.envelope.mailFrom,
      dsnReport({ recipient: frank, messageId: evesOffer.messageId, status: '5.1.1' }),
    );
    for (const email of [eve, frank]) expect((await contactOf(email)).status).toBe('unconfirmed');
    const suppressed = await json<{ items: { email: string }[] }>('/suppressions');
    expect(suppressed.items.map((s) => s.email)).not.toContain(eve);
    expect(suppressed.items.map((s) => s.email)).not.toContain(frank);
    const reported = await json<{ items: Activity[] }>('/activities?limit=1000');
    expect(
      reported.items.filter(
        (a) => [eve, frank].includes(a.email ?? '') && ['bounced', 'complained'].includes(a.action),
      ),
    ).toEqual([]);

    // The same DSN to Eve's own return path does bounce her.
    await sendReport(mailboxPort(), evesOffer.envelope.mailFrom, aboutEve('5.1.1'));
    expect((await contactOf(eve)).status).toBe('bounced');
    expect((await contactOf(frank)).status).toBe('unconfirmed');
  });

  it('applies complaints and bounces from the generic and the Postmark webhooks', async () => {
    const bob = 'bob@example.org';
    const carol = 'carol@example.org';
    for (const email of [bob, carol])
      expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    const carolsOffer = await mailWithSubject(carol, 'Our offer');
    await mailWithSubject(bob, 'Our offer');

    const postmark = await json<{ applied: number }>('/webhooks/postmark', {
      method: 'POST',
      body: JSON.stringify({
        RecordType: 'SpamComplaint',
        Type: 'SpamComplaint',
        Email: bob,
        MessageID: '00000000-0000-0000-0000-000000000000',
      }),
    });
    expect(postmark.applied).toBe(1);
    expect((await contactOf(bob)).status).toBe('unsubscribed');
    const bobsId = (await contactOf(bob)).id;
    const complaint = await json<{ items: unknown[] }>(
      `/events?type=emailComplained&contactId=${bobsId}`,
    );
    expect(complaint.items).toHaveLength(1);

    const soft = {
      type: 'bounce',
      email: carol,
      messageId: carolsOffer.messageId,
      bounceType: 'soft',
      status: '4.2.2',
      diagnostic: 'mailbox full',
    };
    const first = await json<{ applied: number }>('/webhooks/mail-feedback', {
      method: 'POST',
      body: JSON.stringify({ events: [soft] }),
    });
    const retried = await json<{ applied: number; duplicates: number }>('/webhooks/mail-feedback', {
      method: 'POST',
      body: JSON.stringify(soft),
    });
    expect(first.applied).toBe(1);
    expect(retried).toMatchObject({ applied: 0, duplicates: 1 });
    expect((await contactOf(carol)).status).toBe('unconfirmed');
    const bounces = await json<{ items: Activity[] }>('/activities?action=bounced');
    expect(bounces.items.find((a) => a.messageId === carolsOffer.messageId)?.detail).toMatchObject({
      type: 'soft',
      status: '4.2.2',
    });

    const bad = await api('/webhooks/mail-feedback', {
      method: 'POST',
      body: JSON.stringify({ type: 'bounce', email: 'not an address' }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('email');
  });

  it('sums the activities it lists', async () => {
    // Every mail of the earlier tests went out first, so the log and the summary read one state.
    await until(
      async () =>
        env.smtp.mails.filter((m) => m.subject === 'Untracked').length === 7 &&
        env.smtp.mails.filter((m) => m.subject === 'Our offer').length === 7,
    );
    await waitForDrainedOutbox(env.server.database.db);
    const { items } = await json<{ items: Activity[] }>('/activities?limit=1000');
    const summary =
      await json<Record<string, { total: number; unique: number }>>('/activities/summary');
    const actions = [
      'sent',
      'delivered',
      'opened',
      'clicked',
      'bounced',
      'complained',
      'unsubscribed',
    ];
    for (const action of actions) {
      const of = items.filter((a) => a.action === action);
      const unique = new Set(of.map((a) => a.contactId ?? a.email)).size;
      expect(summary[action], action).toEqual({ total: of.length, unique });
    }
    expect(summary.sent?.total).toBeGreaterThanOrEqual(6);
    expect(summary.clicked).toEqual({ total: 1, unique: 1 });
    expect(summary.opened).toEqual({ total: 1, unique: 1 });
    expect(summary.bounced?.total).toBe(3);
    expect(summary.complained?.total).toBe(2);
    expect(summary.unsubscribed).toEqual({ total: 1, unique: 1 });

    const past = await json<Record<string, { total: number }>>(
      '/activities/summary?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z',
    );
    expect(past.sent?.total).toBe(0);
    const wrong = await api('/activities?from=yesterday');
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('from');
  });
});
