// Escaping and the one page layout shared by the confirm, unsubscribe and mailbox pages.
import { html, raw } from 'hono/html';

export { html, raw };

export type Markup = ReturnType<typeof html>;

/** The pages' only CSS; its hash lets a strict CSP allow it (see the demo page). */
export const pageCss =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}' +
  'button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1f6feb;color:#fff;cursor:pointer}' +
  '.muted{color:#59636e}';

/** A small self-contained page: no scripts, no external assets. */
export function page(title: string, body: Markup | string): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${raw(pageCss)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML built outside a template (mail bodies). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}
