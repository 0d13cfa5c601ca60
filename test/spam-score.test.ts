// A mail-tester-style check: SpamAssassin scores the confirmation and a workflow mail below 1.0,
// signed with DKIM, tracked links and pixel included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { dkimEnv } from './helpers/deliverability.ts';
import { spamAssassinAvailable, spamScore } from './helpers/spamassassin.ts';
import { until } from './helpers/workflow-dir.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

const WELCOME = `
name: welcome
on: subscribeFromApi-newsletter
steps:
  - send_email:
      subject: "Welcome to Example News"
      html: >-
        <!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
        <p>Hello,</p>
        <p>Thank you for subscribing to Example News. Every Thursday we send a short summary of
        what changed in our products, with links to the full release notes.</p>
        <p>This week's notes are on <a href="https://www.example.com/notes/2026-12">our site</a>.</p>
        <p>See you next week,<br>The Example team</p>
        </body></html>
`;

const SCORE_LIMIT = 1.0;

describe.skipIf(!spamAssassinAvailable).each(testDialects())('spam score on %s', (dialect) => {
  let env: WorkflowServer;

  beforeAll(async () => {
    env = await startWorkflowServer(dialect, { 'welcome.yaml': WELCOME }, dkimEnv);
  });
  afterAll(async () => {
    await env?.stop();
  });

  it(`scores the confirmation and a workflow mail below ${SCORE_LIMIT}`, async () => {
    const email = 'reader@example.org';
    expect((await env.server.subscribe('newsletter', { email })).status).toBe(202);
    const [confirmation, welcome] = await until(async () => {
      const mails = env.smtp.mailsTo(email);
      const c = mails.find((m) => m.text.includes('/confirm/'));
      const w = mails.find((m) => m.subject === 'Welcome to Example News');
      return c && w ? [c, w] : undefined;
    });
    expect(welcome.html).toContain('/t/c/');
    for (const mail of [confirmation, welcome]) {
      expect(mail.rawHeaders['dkim-signature']).toBeDefined();
      const { score, rules } = await spamScore(mail.raw);
      expect(score, `${mail.subject}: ${score} (${rules})`).toBeLessThan(SCORE_LIMIT);
    }
  }, 120_000);
});
