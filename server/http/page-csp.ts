// Content-Security-Policy for the server's own HTML pages: no script at all, only the pages' CSS.
import { createHash } from 'node:crypto';
import { secureHeaders } from 'hono/secure-headers';
import { pageCss } from './html.ts';

/** The one `<style>` every page carries (html.ts), allowed by its hash rather than 'unsafe-inline'. */
export const pageCssHash = `'sha256-${createHash('sha256').update(pageCss).digest('base64')}'`;

/**
 * For /confirm, /unsubscribe and the no-JS subscribe answer. No `form-action`: browsers apply it
 * to the redirect after a POST, and a confirm may redirect to the form's own `confirmed` URL.
 */
export function pageCsp() {
  return secureHeaders({
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [pageCssHash],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
}
