// Stripe-style webhook signatures: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
//
// The timestamp is inside the signed text, so a captured request cannot be replayed later than
// the receiver's tolerance without breaking the signature.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Subflow-Signature';

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The `X-Subflow-Signature` value for `body` sent at `timestamp` (unix seconds).
 *
 * @example signPayload('whsec', 1700000000, '{"a":1}') // 't=1700000000,v1=5b0c…'
 */
export function signPayload(secret: string, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`signature timestamp must be whole unix seconds, got ${timestamp}`);
  }
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

/**
 * Checks a signature header on the receiving side: the HMAC must match the raw body and the
 * timestamp must lie within `toleranceS` of `now` (milliseconds). Several `v1` entries are
 * accepted, so a sender can sign with an old and a new secret while rotating keys.
 *
 * @example verifySignature(secret, req.headers['x-subflow-signature'], rawBody)
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  toleranceS = 300,
  now = Date.now(),
): boolean {
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceS) return false;

  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Every candidate is compared (no early exit) so timing does not reveal which one matched.
  let matched = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}
