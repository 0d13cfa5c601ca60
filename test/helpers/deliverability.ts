// Test helpers for deliverability: a DKIM key and checker, and report mails as MTAs write them.
import { authenticate } from 'mailauth';
import nodemailer from 'nodemailer';
import { generateDkimKey } from '../../server/deliverability/dkim.ts';

export const DKIM_DOMAIN = 'lists.example.com';
export const DKIM_SELECTOR = 's2026';

/** One key per test run: RSA key generation is the slow part. */
export const dkimKey = generateDkimKey({ domain: DKIM_DOMAIN, selector: DKIM_SELECTOR });

export const dkimEnv = {
  DKIM_DOMAIN,
  DKIM_SELECTOR,
  DKIM_PRIVATE_KEY: dkimKey.privateKey,
  MAIL_FROM: `Example News <news@${DKIM_DOMAIN}>`,
};

/** mailauth's verdict on the mail's DKIM signature, with the key published only to it (no DNS). */
export async function dkimVerdict(raw: Buffer): Promise<{ result: string; domain: string }> {
  const resolver = async (name: string, rr: string) => {
    if (rr === 'TXT' && name === dkimKey.name) return [[dkimKey.value]];
    throw Object.assign(new Error(`no ${rr} record for ${name}`), { code: 'ENOTFOUND' });
  };
  const { dkim } = await authenticate(raw, { resolver, disableArc: true, disableBimi: true });
  const first = dkim.results[0];
  return { result: first?.status.result ?? 'none', domain: first?.signingDomain ?? '' };
}

/** An RFC 3464 report as Postfix writes one: `recipient` failed with `status`. */
export function dsnReport(input: { recipient: string; messageId: string; status: string }): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    `To: bounces@${DKIM_DOMAIN}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    '',
    '--R',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered to one or more recipients.',
    '',
    '--R',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${input.recipient}`,
    'Action: failed',
    `Status: ${input.status}`,
    `Diagnostic-Code: smtp; 550 ${input.status} <${input.recipient}>: Recipient address`,
    ' rejected: User unknown in virtual mailbox table',
    '',
    '--R',
    'Content-Type: text/rfc822-headers',
    '',
    `From: Example News <news@${DKIM_DOMAIN}>`,
    `To: ${input.recipient}`,
    `Message-ID: ${input.messageId}`,
    '',
    '--R--',
    '',
  ].join('\r\n');
}

/** An RFC 5965 ARF complaint about the mail `messageId` sent to `recipient`. */
export function arfReport(input: { recipient: string; messageId: string }): string {
  return [
    'From: <fbl@mailbox.example.org>',
    `To: <fbl@${DKIM_DOMAIN}>`,
    'Subject: Abuse report',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
    '',
    '--F',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '',
    '--F',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: ExampleFBL/1.0',
    'Version: 1',
    `Original-Rcpt-To: <${input.recipient}>`,
    '',
    '--F',
    'Content-Type: message/rfc822',
    '',
    `From: Example News <news@${DKIM_DOMAIN}>`,
    `To: ${input.recipient}`,
    `Message-ID: ${input.messageId}`,
    'Subject: News',
    '',
    'Hello',
    '--F--',
    '',
  ].join('\r\n');
}

/** The BOUNCE_ADDRESS of the deliverability tests: each mail's return path is a sub-address of it. */
export const BOUNCE_ADDRESS = `bounces@${DKIM_DOMAIN}`;

/**
 * Delivers a report to the bounce mailbox at `to` the way a reporting MTA does (null sender);
 * resolves once the mailbox acknowledged it (after applying it), rejects when it refuses `to`.
 */
export async function sendReport(port: number, to: string, raw: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
  try {
    await transport.sendMail({
      envelope: { from: '', to },
      raw,
    });
  } finally {
    transport.close();
  }
}
