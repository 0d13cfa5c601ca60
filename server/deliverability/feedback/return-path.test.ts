// Signed return paths: one per mail, recognised back (in any case), and nothing else recognised.
import { describe, expect, it } from 'vitest';
import { outboxIdOfReturnPath, returnPathFor } from './return-path.ts';

const SECRET = 'test-secret-key';
const BOUNCES = 'bounces@mail.example.com';

describe('return paths', () => {
  it('puts the outbox id and a signature in a sub-address of BOUNCE_ADDRESS', () => {
    const address = returnPathFor(BOUNCES, SECRET, 12);
    expect(address).toMatch(/^bounces\+12-[0-9a-f]{16}@mail\.example\.com$/);
    expect(returnPathFor(BOUNCES, SECRET, 13)).not.toBe(address);
    expect(outboxIdOfReturnPath(BOUNCES, SECRET, address)).toBe(12);
    // MTAs may change the case of what they send back.
    expect(outboxIdOfReturnPath(BOUNCES, SECRET, address.toUpperCase())).toBe(12);
    expect(outboxIdOfReturnPath('Bounces@Mail.Example.com', SECRET, address)).toBe(12);
  });

  it('keeps a sub-address BOUNCE_ADDRESS already has', () => {
    const address = returnPathFor('news+bounces@example.com', SECRET, 7);
    expect(address).toMatch(/^news\+bounces\+7-[0-9a-f]{16}@example\.com$/);
    expect(outboxIdOfReturnPath('news+bounces@example.com', SECRET, address)).toBe(7);
    expect(outboxIdOfReturnPath('news@example.com', SECRET, address)).toBeUndefined();
  });

  it('recognises no other address', () => {
    const address = returnPathFor(BOUNCES, SECRET, 12);
    const signature = /-([0-9a-f]{16})@/.exec(address)?.[1] as string;
    const forged = [
      BOUNCES,
      address.replace('+12-', '+13-'),
      address.replace(signature, '0'.repeat(16)),
      address.replace(signature, signature.slice(0, 15)),
      address.replace('@mail.example.com', '@example.com'),
      address.replace('bounces+', 'other+'),
      returnPathFor(BOUNCES, 'another-secret', 12),
      `${address}x`,
      '',
    ];
    for (const recipient of forged)
      expect(outboxIdOfReturnPath(BOUNCES, SECRET, recipient), recipient).toBeUndefined();
  });
});
