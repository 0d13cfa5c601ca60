// Tracked links: every http(s) link but the kept ones redirected, signatures bound to mail and URL.
import { describe, expect, it } from 'vitest';
import { addTracking, clickUrl, verifyClick, verifyOpen } from './tracking-links.ts';

const SECRET = 'a-secret-key-of-at-least-32-characters!';
const BASE = 'https://lists.example.com';

describe('tracking links', () => {
  it('rewrites links (entities read as the URL they stand for), keeps the kept ones, adds a pixel', () => {
    const html =
      '<html><body><a class="b" href="https://shop.example/x?a=1&amp;b=2">x</a>' +
      '<a href="mailto:ann@example.com">mail</a>' +
      `<a href="${BASE}/unsubscribe/7.sig">Unsubscribe</a></body></html>`;
    const out = addTracking(html, {
      publicUrl: BASE,
      secret: SECRET,
      outboxId: 12,
      keep: (url) => url.startsWith(`${BASE}/unsubscribe/`),
    });
    const tracked = clickUrl(BASE, SECRET, 12, 'https://shop.example/x?a=1&b=2');
    expect(out).toContain(`<a class="b" href="${tracked.replace(/&/g, '&amp;')}">x</a>`);
    expect(out).toContain('href="mailto:ann@example.com"');
    expect(out).toContain(`href="${BASE}/unsubscribe/7.sig"`);
    expect(out).toMatch(
      /<img src="https:\/\/lists\.example\.com\/t\/o\/12\/[\w-]{32}\.gif"[^>]*><\/body>/,
    );
  });

  it('signs the URL a browser would open: newlines from a template dropped, spaces encoded', () => {
    // A CR/LF left in the signed URL made the click redirect fail with a 500 (no header may hold it).
    const html = '<a href="https://shop.example/x?ref=a\r\nb c">x</a><a href="https://[x">bad</a>';
    const out = addTracking(html, {
      publicUrl: BASE,
      secret: SECRET,
      outboxId: 12,
      keep: () => false,
    });
    expect(out).toContain(
      `href="${clickUrl(BASE, SECRET, 12, 'https://shop.example/x?ref=ab%20c').replace(/&/g, '&amp;')}"`,
    );
    // A link no browser could open stays as written rather than signed.
    expect(out).toContain('<a href="https://[x">bad</a>');
  });

  it('verifies only the URL and mail a signature was made for', () => {
    const url = 'https://shop.example/x';
    const signature = new URL(clickUrl(BASE, SECRET, 12, url)).pathname.split('/')[4] as string;
    expect(verifyClick(SECRET, 12, url, signature)).toBe(true);
    expect(verifyClick(SECRET, 12, 'https://evil.example/', signature)).toBe(false);
    expect(verifyClick(SECRET, 13, url, signature)).toBe(false);
    expect(verifyClick('another-secret-key-of-32-characters!!', 12, url, signature)).toBe(false);
    expect(verifyClick(SECRET, 12, url, 'short')).toBe(false);
    expect(verifyOpen(SECRET, 12, signature)).toBe(false);
  });
});
