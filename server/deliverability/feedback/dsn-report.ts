// Reads a report mail: RFC 3464 delivery status notifications (bounces) and RFC 5965 ARF complaints.
import { emailSchema } from '../../subscribe/input-fields.ts';
import type { MailFeedback } from './apply-feedback.ts';

type Fields = Map<string, string>;

/**
 * The groups of a `message/delivery-status` or `message/feedback-report` body: header-style
 * `Name: value` lines (continuations unfolded), groups separated by blank lines. Names lower-cased.
 */
export function fieldGroups(body: string): Fields[] {
  const groups: Fields[] = [];
  for (const block of body.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const fields: Fields = new Map();
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
    }
    if (fields.size > 0) groups.push(fields);
  }
  return groups;
}

/** `rfc822; Ann@Example.org` → `Ann@Example.org` (the address type is optional in practice). */
const typedValue = (value: string | undefined) =>
  value
    ?.replace(/^[^;]*;/, '')
    .trim()
    .replace(/^<|>$/g, '') || undefined;

/**
 * The address as the webhooks read theirs (lower-cased, so its contact is found), or undefined for
 * one that is no address: whoever holds a return path (its recipient among them) writes what the
 * report says, and a NUL byte PostgreSQL cannot store would fail the report with 451 on every
 * retry of the reporting MTA.
 */
const addressOf = (value: string | undefined) => {
  const parsed = emailSchema.safeParse(typedValue(value) ?? '');
  return parsed.success ? parsed.data : undefined;
};

/** Control characters, NUL among them (which PostgreSQL cannot store), in a report's text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The receiver's words without control characters. */
const textOf = (value: string | undefined) =>
  typedValue(value)?.replace(CONTROL, '').trim() || undefined;

/** The Message-ID (and To) of the original mail, from its headers as the report quotes them. */
function originalHeaders(text: string | undefined) {
  const headers = fieldGroups(text ?? '')[0] ?? new Map<string, string>();
  const quoted = /<[^<>\s]+>/.exec(headers.get('message-id') ?? '')?.[0];
  // A Message-ID with a control character is none we sent.
  const messageId = quoted && !quoted.match(CONTROL) ? quoted : undefined;
  const to = /[^\s<>,"]+@[^\s<>,"]+/.exec(headers.get('to') ?? '')?.[0];
  return { messageId, to };
}

/**
 * The feedback a report mail carries: one bounce per failed recipient of a DSN (`5.x.x` hard,
 * `4.x.x` soft; delayed, delivered or relayed recipients are not bounces), or one complaint for an
 * ARF report. Any other mail (an auto-reply, spam to the bounce address) carries none: `[]`.
 */
export async function feedbackFromReport(raw: Buffer | string): Promise<MailFeedback[]> {
  // Loaded on the first report: mailparser takes longer to load than the rest of a CLI command.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, { keepDeliveryStatus: true });
  const part = (...types: string[]) =>
    mail.attachments.find((a) => types.includes(a.contentType.toLowerCase()))?.content.toString();
  const original = originalHeaders(part('text/rfc822-headers', 'message/rfc822'));

  const status = part('message/delivery-status', 'message/global-delivery-status');
  if (status) {
    const [, ...recipients] = fieldGroups(status);
    return recipients.flatMap((fields): MailFeedback[] => {
      const email = addressOf(fields.get('final-recipient') ?? fields.get('original-recipient'));
      const code = /\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
      if (!email || fields.get('action')?.toLowerCase() !== 'failed') return [];
      return [
        {
          type: 'bounce',
          email,
          messageId: original.messageId,
          bounceType: code?.startsWith('4.') ? 'soft' : 'hard',
          status: code,
          diagnostic: textOf(fields.get('diagnostic-code')),
          source: 'bounce-mailbox',
        },
      ];
    });
  }

  const report = part('message/feedback-report');
  if (report) {
    const fields = fieldGroups(report)[0] ?? new Map<string, string>();
    const email = addressOf(fields.get('original-rcpt-to') ?? original.to);
    if (!email) return [];
    return [
      {
        type: 'complaint',
        email,
        messageId: original.messageId,
        diagnostic: textOf(fields.get('feedback-type')),
        source: 'bounce-mailbox',
      },
    ];
  }
  return [];
}
