// Serves the admin console built into dist/admin: its two pages under a strict CSP, and hashed
// assets cached for a year. The console itself only talks to /api/v1 with an API key.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import type { Logger } from '../logger.ts';

const ADMIN_DIR = fileURLToPath(new URL('../../dist/admin', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * No inline script or style anywhere: scripts and stylesheets come from this origin only, and the
 * API is the only thing it connects to. The console frames its own preview page, nothing else.
 */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The preview page runs the real widget (which posts to the public endpoints), framed by the console. */
const PREVIEW_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

interface Asset {
  body: string;
  /** Compressed once at start-up: compressing the bundle on every request cost CPU each load. */
  gzip: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

function loadAssets(logger: Logger): Map<string, Asset> | undefined {
  try {
    const files = new Map<string, Asset>();
    for (const name of readdirSync(ADMIN_DIR, { recursive: true, encoding: 'utf8' })) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      const body = readFileSync(join(ADMIN_DIR, name), 'utf8');
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
      files.set(name.split('\\').join('/'), {
        body,
        gzip: new Uint8Array(gzipSync(body, { level: 9 })),
        type,
        etag: `"${hash}"`,
      });
    }
    if (files.has('index.html')) return files;
  } catch {
    // Not built: answered below with what to do.
  }
  logger.warn({ path: ADMIN_DIR }, 'admin console not built; run `npm run build`');
  return undefined;
}

export function adminRoutes(logger: Logger): Hono {
  const app = new Hono();
  // Read once: the files only change with a build, and a build comes with a restart.
  const assets = loadAssets(logger);
  const notBuilt = 'admin console not built: run `npm run build`';

  app.get('/admin', (c) => c.redirect('/admin/', 308));

  const page = (file: string, csp: string) =>
    app.get(file === 'index.html' ? '/admin/' : `/admin/${file}`, compress(), (c) => {
      const asset = assets?.get(file);
      if (!asset) return c.text(notBuilt, 503);
      c.header('Content-Security-Policy', csp);
      // The page names the current hashed assets, so it is checked on every load.
      c.header('Cache-Control', 'no-cache');
      c.header('Referrer-Policy', 'no-referrer');
      return c.body(asset.body, 200, { 'Content-Type': asset.type });
    });
  page('index.html', CONSOLE_CSP);
  page('preview.html', PREVIEW_CSP);

  app.get('/admin/assets/:file', etag(), (c) => {
    if (!assets) return c.text(notBuilt, 503);
    const asset = assets.get(`assets/${c.req.param('file')}`);
    if (!asset) return c.notFound();
    c.header('ETag', asset.etag);
    // File names carry a content hash: a new build is a new URL, so these never change.
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('Vary', 'Accept-Encoding');
    c.header('Content-Type', asset.type);
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('Content-Encoding', 'gzip');
      return c.body(asset.gzip, 200);
    }
    return c.body(asset.body, 200);
  });

  return app;
}
