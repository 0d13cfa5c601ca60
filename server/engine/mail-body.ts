// Workflow mail bodies: both parts always present, with a visible unsubscribe link in each.
import { escapeHtml } from '../http/html.ts';

export function renderWorkflowMail(input: {
  subject: string;
  text?: string;
  html?: string;
  unsubscribeUrl: string;
}): { subject: string; text: string; html: string } {
  const text = input.text ?? htmlToText(input.html ?? '');
  const html =
    input.html ?? `<div style="font-family:sans-serif;line-height:1.5">${textToHtml(text)}</div>`;
  const url = escapeHtml(input.unsubscribeUrl);
  return {
    subject: input.subject,
    text: `${text}\n\n--\nUnsubscribe: ${input.unsubscribeUrl}\n`,
    html: `${html}<p style="color:#59636e;font-size:12px;margin-top:24px"><a href="${url}">Unsubscribe</a></p>`,
  };
}

function textToHtml(text: string): string {
  return escapeHtml(text)
    .replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`)
    .replace(/\r?\n/g, '<br>');
}

/** Good enough for a text part of a mail whose author wrote only HTML. */
function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li)\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
