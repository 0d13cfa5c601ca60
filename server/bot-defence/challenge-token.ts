// Proof-of-work challenges: issued as signed text (HMAC with the secret key), read back and checked.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a challenge says; its `salt` is also its id, recorded once it has been used. */
export interface Challenge {
  formId: string;
  expiresAt: number;
  /** Leading zero bits SHA-256(salt + solution) must have. */
  difficulty: number;
  salt: string;
}

/** The issued text: `formId.expiresAt.difficulty.salt.signature` (form ids and salts have no dot). */
export type ChallengeToken = string;

const signature = (secretKey: string, payload: string) =>
  createHmac('sha256', secretKey).update(`subflow-challenge:${payload}`).digest();

const payloadOf = (c: Challenge) => `${c.formId}.${c.expiresAt}.${c.difficulty}.${c.salt}`;

/**
 * A new challenge for one form, valid for `ttlMs`. Nothing is stored: the signature is the record.
 * @example issueChallenge(key, { formId: 'newsletter', difficulty: 13, ttlMs: 600_000, now })
 */
export function issueChallenge(
  secretKey: string,
  input: { formId: string; difficulty: number; ttlMs: number; now: number },
): { token: ChallengeToken; challenge: Challenge } {
  const challenge: Challenge = {
    formId: input.formId,
    expiresAt: input.now + input.ttlMs,
    difficulty: input.difficulty,
    salt: randomBytes(16).toString('base64url'),
  };
  const payload = payloadOf(challenge);
  return {
    token: `${payload}.${signature(secretKey, payload).toString('base64url')}`,
    challenge,
  };
}

/** The challenge a token states, when this server signed it; `undefined` for anything else. */
export function readChallenge(secretKey: string, token: string): Challenge | undefined {
  const parts = token.split('.');
  if (parts.length !== 5) return undefined;
  const [formId = '', expires = '', difficulty = '', salt = '', sig = ''] = parts;
  if (!/^\d{1,15}$/.test(expires) || !/^\d{1,2}$/.test(difficulty)) return undefined;
  const challenge = { formId, expiresAt: Number(expires), difficulty: Number(difficulty), salt };
  const expected = signature(secretKey, payloadOf(challenge));
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return challenge;
}
