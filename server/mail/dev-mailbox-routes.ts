// /dev/mailbox: the mail a server without SMTP_URL would have sent, for local development.
import { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { DB } from '../db/open-database.ts';
import { escapeHtml, html, page, raw } from '../http/html.ts';

/** Text part with its URLs made clickable, everything else escaped. */
function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/**
 * Whether /dev/mailbox is served, and why: it shows every confirmation link, so only to the
 * machine itself unless the operator says otherwise.
 */
export function devMailboxServing(config: Pick<Config, 'SMTP_URL' | 'DEV_MAILBOX' | 'HOST'>): {
  served: boolean;
  reason: string;
} {
  if (config.SMTP_URL) return { served: false, reason: 'SMTP_URL is set: mail goes out over SMTP' };
  if (config.DEV_MAILBOX === true) return { served: true, reason: 'DEV_MAILBOX=true' };
  if (config.DEV_MAILBOX === false) {
    return { served: false, reason: 'DEV_MAILBOX=false: mail is kept in the database only' };
  }
  if (loopbackHost.test(config.HOST)) {
    return { served: true, reason: `no SMTP_URL and HOST ${config.HOST} is loopback` };
  }
  return {
    served: false,
    reason:
      `HOST ${config.HOST} is not loopback, so mail is kept in the database only; ` +
      'set SMTP_URL to send it, or DEV_MAILBOX=true to show it to anyone who can reach the server',
  };
}

export function devMailboxRoutes(db: DB): Hono {
  const app = new Hono();

  app.get('/dev/mailbox', async (c) => {
    const mails = await db
      .selectFrom('dev_mailbox')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(200)
      .execute();
    const rows = mails.map(
      (m) => html`<li><a href="/dev/mailbox/${m.id}">${m.subject}</a> → ${m.to_address}
<span class="muted">${new Date(m.created_at).toISOString()}</span></li>`,
    );
    return c.html(
      page(
        'Dev mailbox',
        html`<h1>Dev mailbox</h1>
<p class="muted">No SMTP_URL is set, so mail is kept here instead of being sent.</p>
${mails.length ? html`<ul>${rows}</ul>` : html`<p>No mail yet.</p>`}`,
      ),
    );
  });

  app.get('/dev/mailbox/:id{[0-9]{1,15}}', async (c) => {
    const mail = await db
      .selectFrom('dev_mailbox')
      .selectAll()
      .where('id', '=', Number(c.req.param('id')))
      .executeTakeFirst();
    if (!mail) return c.html(page('Not found', html`<p>No such mail.</p>`), 404);
    const headers = Object.entries(JSON.parse(mail.headers) as Record<string, string>);
    return c.html(
      page(
        mail.subject,
        html`<p><a href="/dev/mailbox">← all mail</a></p>
<h1>${mail.subject}</h1>
<p class="muted">From ${mail.from_address} to ${mail.to_address}<br>Message-ID ${mail.message_id}
${headers.map(([k, v]) => html`<br>${k}: ${v}`)}</p>
<pre style="white-space:pre-wrap;overflow-wrap:anywhere">${raw(linkify(mail.text_body))}</pre>
<h2>HTML part</h2>
<iframe sandbox style="width:100%;height:24rem;border:1px solid #d0d7de" srcdoc="${mail.html_body}"></iframe>`,
      ),
    );
  });

  return app;
}
