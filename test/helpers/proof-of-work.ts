// Solves the server's proof-of-work challenges the way the widget does, for scripted tests.
import { createHash } from 'node:crypto';
import { leadingZeroBits } from '../../server/bot-defence/proof-of-work.ts';

/** The smallest nonce whose SHA-256 after the salt has `difficulty` leading zero bits. */
export function solve(salt: string, difficulty: number): string {
  for (let n = 0; ; n++) {
    const digest = createHash('sha256').update(`${salt}${n}`).digest();
    if (leadingZeroBits(digest) >= difficulty) return String(n);
  }
}

export interface IssuedChallenge {
  challenge: string;
  salt: string;
  difficulty: number;
  expiresAt: string;
}

export async function fetchChallenge(serverUrl: string, formId: string): Promise<IssuedChallenge> {
  const res = await fetch(`${serverUrl}/v1/forms/${formId}/challenge`);
  if (res.status !== 200) throw new Error(`challenge for ${formId}: ${res.status}`);
  return (await res.json()) as IssuedChallenge;
}

/** `_challenge` and `_solution` for one subscribe to `formId`. */
export async function solvedProof(
  serverUrl: string,
  formId: string,
): Promise<{ _challenge: string; _solution: string }> {
  const issued = await fetchChallenge(serverUrl, formId);
  return { _challenge: issued.challenge, _solution: solve(issued.salt, issued.difficulty) };
}
