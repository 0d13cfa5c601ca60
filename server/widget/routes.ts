// Serves the built widget (GET /widget.js, with an ETag) and a demo page embedding it (GET /demo).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import { html, page } from '../http/html.ts';
import { pageCssHash } from '../http/page-csp.ts';
import type { Logger } from '../logger.ts';

const WIDGET_PATH = new URL('../../dist/widget.js', import.meta.url);

function loadWidget(logger: Logger): { code: string; etag: string } | undefined {
  try {
    const code = readFileSync(WIDGET_PATH, 'utf8');
    return {
      code,
      etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"`,
    };
  } catch {
    logger.warn({ path: WIDGET_PATH.pathname }, 'widget not built; run `npm run build`');
    return undefined;
  }
}

export function widgetRoutes(logger: Logger): Hono {
  const app = new Hono();
  // Read once: the file only changes with a build, and a build comes with a restart.
  const widget = loadWidget(logger);

  // etag() answers 304 to a matching If-None-Match, comparing weakly as compress() marks it weak.
  app.get('/widget.js', etag(), compress(), (c) => {
    if (!widget) return c.text('widget not built: run `npm run build`', 503);
    c.header('ETag', widget.etag);
    // The URL has no version in it, so caches revalidate after a few minutes.
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Access-Control-Allow-Origin', '*');
    return c.body(widget.code, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });

  app.get('/demo', (c) => {
    // A strict CSP, to show the widget needs neither inline scripts nor inline styles.
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'self'; style-src 'self' ${pageCssHash}; connect-src 'self'; form-action 'self'`,
    );
    return c.html(
      page(
        'Subflow demo',
        html`<h1>Subflow widget demo</h1>
<p class="muted">The widget renders the <code>newsletter</code> form. Mail goes to <a href="/dev/mailbox">/dev/mailbox</a> when no SMTP_URL is set.</p>
<div data-subflow-form="newsletter"></div>
<h2>Dark theme, German</h2>
<div data-subflow-form="newsletter" data-theme="dark" data-lang="de"></div>
<h2>Plain form, enhanced (and still working without JavaScript)</h2>
<form data-subflow-form="newsletter" data-lang="he" action="/v1/forms/newsletter/subscribe" method="post">
  <input type="email" name="email" required aria-label="Email"> <button>Subscribe</button>
</form>
<script src="/widget.js" async></script>`,
      ),
    );
  });

  return app;
}
