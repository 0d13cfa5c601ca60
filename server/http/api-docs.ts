// /api/docs: swagger-ui served from the swagger-ui-dist package (no CDN, works offline) under a strict CSP.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';

const SPEC_URL = '/api/v1/openapi.json';
const INIT_PATH = '/api/docs/init.js';
const ASSETS_BASE = '/api/docs/assets';

const require = createRequire(import.meta.url);
const distManifest = require.resolve('swagger-ui-dist/package.json');
const distDir = dirname(distManifest);
const distVersion: string = require(distManifest).version;

/** The files the page loads; the version is in their URL, so browsers may keep them for good. */
const assetTypes: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

// The validator badge would ask validator.swagger.io about our spec: off, the page stays offline.
const init = `window.onload = () => {
  window.ui = SwaggerUIBundle({
    dom_id: '#swagger-ui',
    url: ${JSON.stringify(SPEC_URL)},
    validatorUrl: null,
  });
};
`;

const docsCsp = secureHeaders({
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    // swagger-ui's stylesheet draws its icons as data: SVGs.
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'none'"],
  },
});

export function apiDocsRoutes(): Hono {
  const app = new Hono();
  app.get(INIT_PATH, (c) =>
    c.body(init, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );

  // Read on first request (the bundle is 1.7 MB) and kept: the files cannot change while we run.
  const loaded = new Map<string, Promise<Buffer>>();
  for (const [file, contentType] of Object.entries(assetTypes)) {
    app.get(`${ASSETS_BASE}/swagger-ui-dist@${distVersion}/${file}`, async (c) => {
      let body = loaded.get(file);
      if (!body) {
        body = readFile(join(distDir, file));
        loaded.set(file, body);
      }
      return c.body(new Uint8Array(await body), 200, {
        'Content-Type': contentType,
        'Cache-Control': 'public, max-age=31536000, immutable',
      });
    });
  }

  app.get(
    '/api/docs',
    docsCsp,
    swaggerUI({
      url: SPEC_URL,
      title: 'Subflow API',
      baseUrl: ASSETS_BASE,
      version: distVersion,
      manuallySwaggerUIHtml: (asset) =>
        html`<div id="swagger-ui"></div>
${asset.css.map((href) => html`<link rel="stylesheet" href="${href}">`)}
${asset.js.map((src) => html`<script src="${src}"></script>`)}
<script src="${INIT_PATH}"></script>`.toString(),
    }),
  );
  return app;
}
