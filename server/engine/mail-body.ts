// Workflow mail bodies: typed values escaped and never links, both parts, an unsubscribe link in each.
import { escapeHtml } from '../http/html.ts';
import type { Segment } from './expressions/templates.ts';

/**
 * Builds the mail from rendered templates. In `html`, the author's markup and `$!{…}` values go in
 * as written and every `${…}` value is escaped. A text-only mail gets an HTML part in which only
 * URLs the author wrote become links (scheme and host written in the file, the rest may be
 * interpolated); a URL inside a value stays text, defused so mail clients do not link it either.
 */
export function renderWorkflowMail(input: {
  subject: string;
  text?: Segment[];
  html?: Segment[];
  unsubscribeUrl: string;
}): { subject: string; text: string; html: string } {
  const text = input.text ? joinSegments(input.text) : htmlToText(htmlOf(input.html ?? []));
  const html = input.html
    ? htmlOf(input.html)
    : `<div style="font-family:sans-serif;line-height:1.5">${textToHtml(input.text ?? [])}</div>`;
  const url = escapeHtml(input.unsubscribeUrl);
  return {
    subject: input.subject,
    text: `${text}\n\n--\nUnsubscribe: ${input.unsubscribeUrl}\n`,
    html: `${html}<p style="color:#59636e;font-size:12px;margin-top:24px"><a href="${url}">Unsubscribe</a></p>`,
  };
}

const joinSegments = (segments: Segment[]) => segments.map((s) => s.text).join('');

function htmlOf(segments: Segment[]): string {
  return segments.map((s) => (s.literal || s.raw ? s.text : typedToHtml(s.text))).join('');
}

/**
 * Typed text as HTML: escaped, with a zero-width space after `.`, `:` and `@`, which auto-linkers
 * (Gmail, Outlook, Apple Mail) do not read through, so `https://evil.example` stays text.
 */
function typedToHtml(text: string): string {
  return escapeHtml(text).replace(/[.:@]/g, '$&&#8203;');
}

const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

function textToHtml(segments: Segment[]): string {
  const text = joinSegments(segments);
  // literal[i]: whether character i was written by the author.
  const literal: boolean[] = [];
  for (const s of segments) for (let i = 0; i < s.text.length; i++) literal.push(s.literal);
  const piece = (from: number, to: number) => {
    let out = '';
    let start = from;
    for (let i = from; i <= to; i++) {
      if (i === to || literal[i] !== literal[start]) {
        const chunk = text.slice(start, i);
        out += literal[start] ? escapeHtml(chunk) : typedToHtml(chunk);
        start = i;
      }
    }
    return out;
  };
  let html = '';
  let done = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    // A sentence's full stop or a closing parenthesis is not part of the address.
    const url = match[0].replace(/[.,;:!?)]+$/, '');
    const start = match.index;
    const end = start + url.length;
    const hostEnd = start + (/^https?:\/\/[^/?#]*/.exec(url)?.[0].length ?? 0);
    if (!literal.slice(start, hostEnd).every(Boolean)) continue;
    const href = escapeHtml(url);
    html += `${piece(done, start)}<a href="${href}">${piece(start, end)}</a>`;
    done = end;
  }
  html += piece(done, text.length);
  return html.replace(/\r?\n/g, '<br>');
}

/** Good enough for a text part of a mail whose author wrote only HTML. */
function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li)\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#8203;/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
