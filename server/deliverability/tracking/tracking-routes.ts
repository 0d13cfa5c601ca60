// The open pixel and the click redirect of tracked workflow mail; both refuse what we did not sign.
import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.ts';
import { html, page } from '../../http/html.ts';
import { recordEngagement } from './record-engagement.ts';
import { verifyClick, verifyOpen } from './tracking-links.ts';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const invalidLink = page(
  'Link not valid',
  html`<h1>This link is not valid</h1><p>Check that you opened the whole link from the mail.</p>`,
);

const outboxIdOf = (text: string) => (/^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : undefined);

export function trackingRoutes(deps: Pick<AppDeps, 'db' | 'wakeups' | 'secretKey' | 'logger'>) {
  const app = new Hono();
  const verbs = { db: deps.db, wakeups: deps.wakeups };
  const log = deps.logger.child({ module: 'tracking' });

  /** Recording must not cost the reader the redirect or the image: a failure is only logged. */
  const record = async (input: Parameters<typeof recordEngagement>[1]) => {
    try {
      await recordEngagement(verbs, input);
    } catch (err) {
      log.error({ err, outboxId: input.outboxId }, 'could not record a mail engagement');
    }
  };

  app.get('/t/c/:outboxId/:signature', async (c) => {
    const outboxId = outboxIdOf(c.req.param('outboxId'));
    const url = c.req.query('u');
    const signature = c.req.param('signature');
    // Only the exact URL signed for this mail: anything else would make us an open redirect.
    if (
      outboxId === undefined ||
      !url ||
      !/^https?:\/\//i.test(url) ||
      !verifyClick(deps.secretKey, outboxId, url, signature)
    )
      return c.html(invalidLink, 404);
    // Link checkers send HEAD first; only a GET is a reader following the link.
    if (c.req.method === 'GET') await record({ kind: 'clicked', outboxId, url, now: Date.now() });
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(url, 302);
  });

  app.get('/t/o/:outboxId/:file', async (c) => {
    const outboxId = outboxIdOf(c.req.param('outboxId'));
    const signature = /^(.+)\.gif$/.exec(c.req.param('file'))?.[1];
    if (outboxId === undefined || !signature || !verifyOpen(deps.secretKey, outboxId, signature))
      return c.body(null, 404);
    if (c.req.method === 'GET') await record({ kind: 'opened', outboxId, now: Date.now() });
    c.header('Cache-Control', 'no-store, max-age=0');
    c.header('Content-Type', 'image/gif');
    return c.body(PIXEL, 200);
  });

  return app;
}
