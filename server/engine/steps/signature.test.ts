// Signing and verifying the X-Subflow-Signature header, including replay tolerance.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature.ts';

const SECRET = 'whsec_unit';
const T = 1_700_000_000;
const NOW = T * 1000;
const BODY = '{"contactId":42}';

describe('signPayload', () => {
  it('signs "<t>.<body>" with HMAC-SHA256, hex-encoded', () => {
    const hex = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signPayload(SECRET, T, BODY)).toBe(`t=${T},v1=${hex}`);
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signPayload(SECRET, NOW + 0.5, BODY)).toThrow(RangeError);
  });
});

describe('verifySignature', () => {
  const header = signPayload(SECRET, T, BODY);

  it('accepts a fresh, matching signature', () => {
    expect(verifySignature(SECRET, header, BODY, 300, NOW)).toBe(true);
    expect(verifySignature(SECRET, header, BODY, 300, NOW + 300_000)).toBe(true);
  });

  it('rejects a changed body or another secret', () => {
    expect(verifySignature(SECRET, header, '{"contactId":43}', 300, NOW)).toBe(false);
    expect(verifySignature('other', header, BODY, 300, NOW)).toBe(false);
  });

  it('rejects a replay outside the tolerance, in either direction', () => {
    expect(verifySignature(SECRET, header, BODY, 300, NOW + 301_000)).toBe(false);
    expect(verifySignature(SECRET, header, BODY, 300, NOW - 301_000)).toBe(false);
  });

  it('rejects a timestamp changed without re-signing', () => {
    const moved = header.replace(`t=${T}`, `t=${T + 10}`);
    expect(verifySignature(SECRET, moved, BODY, 300, NOW)).toBe(false);
  });

  it('accepts any matching v1 entry, for key rotation', () => {
    const old = signPayload('old-secret', T, BODY).split(',')[1];
    expect(verifySignature(SECRET, `${header},${old}`, BODY, 300, NOW)).toBe(true);
    expect(verifySignature('old-secret', `${header},${old}`, BODY, 300, NOW)).toBe(true);
  });

  it.each([
    '',
    'garbage',
    `t=${T}`,
    `v1=${'0'.repeat(64)}`,
    `t=abc,v1=${'0'.repeat(64)}`,
    `t=${T},v1=short`,
    `t=${T},v0=${'0'.repeat(64)}`,
  ])('rejects the malformed header %j', (bad) => {
    expect(verifySignature(SECRET, bad, BODY, 300, NOW)).toBe(false);
  });
});
