// /api/docs: swagger-ui from its CDN, started by a script served here, so the CSP needs no inline script.
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';

const SPEC_URL = '/api/v1/openapi.json';
const INIT_PATH = '/api/docs/init.js';
const CDN = 'https://cdn.jsdelivr.net/npm/swagger-ui-dist';

const init = `window.onload = () => {
  window.ui = SwaggerUIBundle({ dom_id: '#swagger-ui', url: ${JSON.stringify(SPEC_URL)} });
};
`;

const docsCsp = secureHeaders({
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'", `${CDN}/`],
    styleSrc: [`${CDN}/`],
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
  app.get(
    '/api/docs',
    docsCsp,
    swaggerUI({
      url: SPEC_URL,
      title: 'Subflow API',
      manuallySwaggerUIHtml: (asset) =>
        html`<div id="swagger-ui"></div>
${asset.css.map((href) => html`<link rel="stylesheet" href="${href}">`)}
${asset.js.map((src) => html`<script src="${src}" crossorigin="anonymous"></script>`)}
<script src="${INIT_PATH}"></script>`.toString(),
    }),
  );
  return app;
}
