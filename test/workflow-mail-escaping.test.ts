// A visitor's typed name reaches workflow mail as text: escaped in HTML, never a link, never markup.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in plain strings are workflow templates, not mistakes.
import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

const HOSTILE =
  '<a href="https://evil.example/x">win</a> <img src="https://evil.example/pixel.gif"> https://evil.example';

describe.each(testDialects())('workflow mail with a hostile name on %s', (dialect) => {
  let env: WorkflowServer;

  afterEach(async () => {
    await env.stop();
  });

  it('escapes ${…} in html, keeps $!{…} raw, and links only URLs the author wrote', async () => {
    env = await startWorkflowServer(
      dialect,
      {
        'html.yaml': `
name: html-mail
on: subscribeFromApi-newsletter
steps:
  - send_email:
      subject: "html"
      html: '<p>Hello \${contact.firstName}</p>$!{"<p><b>Our offer</b></p>"}<a href="https://site.example/offer">offer</a>'
`,
        'text.yaml': `
name: text-mail
on: subscribeFromApi-newsletter
steps:
  - send_email:
      subject: "text"
      text: "Hello \${contact.firstName}, news at https://site.example/news and https://site.example/u/\${contact.id}. Also https://\${contact.firstName}"
`,
      },
      // The links as rendered; tracking (which rewrites them, and adds a pixel) is tested apart.
      { TRACKING: 'false' },
    );
    const { server } = env;
    const email = 'mallory@example.com';
    expect((await server.subscribe('newsletter', { email, firstName: HOSTILE })).status).toBe(202);
    await env.finishedRun('workflow=html-mail');
    await env.finishedRun('workflow=text-mail');
    const html = await waitForSubject(env, email, 'html');
    const text = await waitForSubject(env, email, 'text');

    for (const mail of [html, text]) {
      expect(mail.html).not.toMatch(/<a[^>]+evil\.example/i);
      expect(mail.html).not.toMatch(/<img/i);
      expect(mail.html).not.toContain('https://evil.example');
      expect(mail.html).toContain('&lt;img src=&quot;https:');
    }
    expect(html.html).toContain('<p>Hello &lt;a href=&quot;https:');
    expect(html.html).toContain(
      '<p><b>Our offer</b></p><a href="https://site.example/offer">offer</a>',
    );
    expect(html.text).toContain('Hello <a href="https://evil.example/x">win</a>');

    const links = [...text.html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    expect(links.filter((href) => !href?.includes('/unsubscribe/'))).toEqual([
      'https://site.example/news',
      'https://site.example/u/1',
    ]);
    // The text part is plain text: the name as typed, which no HTML renderer interprets.
    expect(text.text).toContain(`Hello ${HOSTILE}, news at https://site.example/news`);
  });
});

async function waitForSubject(env: WorkflowServer, to: string, subject: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = env.smtp.mailsTo(to).find((m) => m.subject === subject);
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${to}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
