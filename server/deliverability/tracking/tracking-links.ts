// Tracked links and the open pixel: URLs signed with the secret key over the mail's outbox id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { escapeHtml } from '../../http/html.ts';

const sign = (secret: string, what: string) =>
  createHmac('sha256', secret).update(what).digest('base64url').slice(0, 32);

/** Binds a link to one mail and one URL: a signature for one mail opens no other URL. */
const clickPayload = (outboxId: number, url: string) => `click:${outboxId}:${url}`;
const openPayload = (outboxId: number) => `open:${outboxId}`;

/** @example clickUrl('https://lists.example.com', secret, 12, 'https://shop.example/a') */
export function clickUrl(publicUrl: string, secret: string, outboxId: number, url: string): string {
  const signature = sign(secret, clickPayload(outboxId, url));
  return `${publicUrl}/t/c/${outboxId}/${signature}?u=${encodeURIComponent(url)}`;
}

export function openPixelUrl(publicUrl: string, secret: string, outboxId: number): string {
  return `${publicUrl}/t/o/${outboxId}/${sign(secret, openPayload(outboxId))}.gif`;
}

function matches(secret: string, payload: string, given: string): boolean {
  const expected = Buffer.from(sign(secret, payload));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(expected, actual);
}

/** True when `signature` is ours for this mail and exactly this URL. */
export const verifyClick = (secret: string, outboxId: number, url: string, signature: string) =>
  matches(secret, clickPayload(outboxId, url), signature);

export const verifyOpen = (secret: string, outboxId: number, signature: string) =>
  matches(secret, openPayload(outboxId), signature);

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** `<a … href="http(s)://…"`: the links a mail's HTML part holds (the renderer writes `"`). */
const LINK = /(<a\b[^>]*?\shref=")(https?:\/\/[^"]+)(")/gi;

/**
 * The HTML part with each http(s) link but `keep` (the unsubscribe link, which must work without
 * us) going through the click redirect, and an open pixel before `</body>` or at the end. The text
 * part is left as written: a reader of plain text sees the real address.
 */
export function addTracking(
  html: string,
  input: { publicUrl: string; secret: string; outboxId: number; keep: (url: string) => boolean },
): string {
  const linked = html.replace(LINK, (whole, before: string, href: string, after: string) => {
    // Signed as a browser would open it (WHATWG: newlines dropped, spaces encoded): a raw CR/LF
    // from a template cannot go into the redirect's Location header. Unparsable: left untracked.
    const written = unescapeHtml(href);
    if (input.keep(written) || !URL.canParse(written)) return whole;
    const url = new URL(written).href;
    const tracked = clickUrl(input.publicUrl, input.secret, input.outboxId, url);
    return `${before}${escapeHtml(tracked)}${after}`;
  });
  const pixelUrl = escapeHtml(openPixelUrl(input.publicUrl, input.secret, input.outboxId));
  const pixel = `<img src="${pixelUrl}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
  const bodyEnd = linked.search(/<\/body>/i);
  return bodyEnd === -1
    ? `${linked}${pixel}`
    : `${linked.slice(0, bodyEnd)}${pixel}${linked.slice(bodyEnd)}`;
}
