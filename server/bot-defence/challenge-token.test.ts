import { describe, expect, it } from 'vitest';
import { issueChallenge, readChallenge } from './challenge-token.ts';
import { leadingZeroBits, solves } from './proof-of-work.ts';

const KEY = 'challenge-token-test-key-0123456789abcdef';
const now = 1_800_000_000_000;

describe('challenge tokens', () => {
  const { token, challenge } = issueChallenge(KEY, {
    formId: 'newsletter',
    difficulty: 13,
    ttlMs: 600_000,
    now,
  });

  it('reads back what was issued', () => {
    expect(readChallenge(KEY, token)).toEqual(challenge);
    expect(challenge).toMatchObject({
      formId: 'newsletter',
      difficulty: 13,
      expiresAt: now + 600_000,
    });
    expect(challenge.salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses any field changed, another key, and text that is not a token', () => {
    const [formId, expires, difficulty, salt, sig] = token.split('.');
    const tampered = [
      [formId, expires, '1', salt, sig],
      [formId, String(Number(expires) + 3600_000), difficulty, salt, sig],
      ['other', expires, difficulty, salt, sig],
      [formId, expires, difficulty, 'AAAAAAAAAAAAAAAAAAAAAA', sig],
    ].map((parts) => parts.join('.'));
    for (const t of tampered) expect(readChallenge(KEY, t)).toBeUndefined();
    expect(readChallenge('another-key-0123456789abcdef0123456789', token)).toBeUndefined();
    for (const junk of ['', 'a.b.c.d.e', `${token}.x`, token.slice(0, -1), 'x'.repeat(300)])
      expect(readChallenge(KEY, junk)).toBeUndefined();
  });
});

describe('proof of work', () => {
  it('counts leading zero bits from the most significant bit', () => {
    expect(leadingZeroBits(Uint8Array.of(0x80))).toBe(0);
    expect(leadingZeroBits(Uint8Array.of(0x01))).toBe(7);
    expect(leadingZeroBits(Uint8Array.of(0, 0x10, 0xff))).toBe(11);
    expect(leadingZeroBits(Uint8Array.of(0, 0))).toBe(16);
  });

  it('accepts only decimal solutions that reach the difficulty', () => {
    // n is the first number to reach 8 zero bits, so the one before it does not.
    let n = 1;
    while (!solves('salt', String(n), 8)) n++;
    expect(solves('salt', String(n - 1), 8)).toBe(false);
    expect(solves('salt', '12', 0)).toBe(true);
    for (const bad of ['', '-1', '1e3', ' 1', '0x10', '12345678901234567'])
      expect(solves('salt', bad, 0)).toBe(false);
  });
});
