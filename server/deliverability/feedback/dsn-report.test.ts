// feedbackFromReport: which recipients of a DSN bounced and how, an ARF complaint, and non-reports.
import { describe, expect, it } from 'vitest';
import { feedbackFromReport } from './dsn-report.ts';

const dsn = (recipients: string[]) =>
  [
    'From: MAILER-DAEMON@mx.example.org',
    'To: bounces@lists.example.com',
    'Subject: Delivery Status Notification',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'Some recipients failed.',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    recipients.join('\r\n\r\n'),
    '',
    '--B',
    'Content-Type: message/rfc822',
    '',
    'From: News <news@lists.example.com>',
    'To: several@example.org',
    'Message-ID: <abc.12@lists.example.com>',
    '',
    'Hello',
    '--B--',
    '',
  ].join('\r\n');

describe('feedbackFromReport', () => {
  it('reads each failed recipient of a DSN: 5.x.x hard, 4.x.x soft; delays are no bounce', async () => {
    const feedback = await feedbackFromReport(
      dsn([
        'Final-Recipient: rfc822; Gone@Example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown',
        'Final-Recipient: rfc822;full@example.org\r\nAction: failed\r\nStatus: 4.2.2',
        'Final-Recipient: rfc822; slow@example.org\r\nAction: delayed\r\nStatus: 4.4.1',
        'Original-Recipient: rfc822; <orig@example.org>\r\nAction: Failed\r\nStatus: 5.7.1 (policy)',
      ]),
    );
    expect(feedback).toEqual([
      {
        type: 'bounce',
        email: 'gone@example.org',
        messageId: '<abc.12@lists.example.com>',
        bounceType: 'hard',
        status: '5.1.1',
        diagnostic: '550 5.1.1 user unknown',
        source: 'bounce-mailbox',
      },
      expect.objectContaining({ email: 'full@example.org', bounceType: 'soft', status: '4.2.2' }),
      expect.objectContaining({ email: 'orig@example.org', bounceType: 'hard', status: '5.7.1' }),
    ]);
  });

  it('reads an ARF complaint, falling back to the quoted To when Original-Rcpt-To is absent', async () => {
    const arf = [
      'From: fbl@mailbox.example.org',
      'Subject: FW: report',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
      '',
      '--F',
      'Content-Type: text/plain',
      '',
      'An abuse report.',
      '--F',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'Version: 1',
      '--F',
      'Content-Type: text/rfc822-headers',
      '',
      'To: "Ann" <ann@example.org>',
      'Message-ID: <m.7@lists.example.com>',
      '--F--',
      '',
    ].join('\r\n');
    expect(await feedbackFromReport(arf)).toEqual([
      {
        type: 'complaint',
        email: 'ann@example.org',
        messageId: '<m.7@lists.example.com>',
        diagnostic: 'abuse',
        source: 'bounce-mailbox',
      },
    ]);
  });

  it('lower-cases the address, so the contact it names is found as the webhooks find it', async () => {
    const feedback = await feedbackFromReport(
      dsn(['Final-Recipient: rfc822; Ann.Lee@Example.ORG\r\nAction: failed\r\nStatus: 5.1.1']),
    );
    expect(feedback.map((f) => f.email)).toEqual(['ann.lee@example.org']);
  });

  it('skips a recipient that is no address and keeps no text PostgreSQL cannot store', async () => {
    const report = dsn([
      'Final-Recipient: rfc822; nul\u0000@example.org\r\nAction: failed\r\nStatus: 5.1.1',
      `Final-Recipient: rfc822; ${'a'.repeat(300)}\r\nAction: failed\r\nStatus: 5.1.1`,
      'Final-Recipient: rfc822; ok@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550\u0000 gone',
    ]).replace('<abc.12@lists.example.com>', '<abc\u000012@lists.example.com>');
    expect(await feedbackFromReport(report)).toEqual([
      {
        type: 'bounce',
        email: 'ok@example.org',
        messageId: undefined,
        bounceType: 'hard',
        status: '5.1.1',
        diagnostic: '550 gone',
        source: 'bounce-mailbox',
      },
    ]);
  });

  it('finds nothing in a mail that is no report (an auto-reply)', async () => {
    const reply = 'From: ann@example.org\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n';
    expect(await feedbackFromReport(reply)).toEqual([]);
  });
});
