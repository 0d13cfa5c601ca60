// The work a challenge asks for: a number whose SHA-256 after the salt starts with enough zero bits.
import { createHash } from 'node:crypto';

/** A solution is the nonce in decimal, as the widget counts it. */
export const SOLUTION = /^[0-9]{1,16}$/;

/** Zero bits at the start of a digest, most significant bit of the first byte first. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/**
 * One hash: does `solution` solve the challenge with this salt and difficulty? The solver tried
 * about 2^difficulty numbers to find one; checking it costs a single SHA-256.
 * @example solves('q3L…', '5120', 13)
 */
export function solves(salt: string, solution: string, difficulty: number): boolean {
  if (!SOLUTION.test(solution)) return false;
  const digest = createHash('sha256').update(`${salt}${solution}`).digest();
  return leadingZeroBits(digest) >= difficulty;
}
