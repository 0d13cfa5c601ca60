// Signed per-mail return addresses (VERP): the only addresses the bounce mailbox takes reports for.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * 64 bits of HMAC-SHA256, in hex: local parts are often lower-cased on the way back, and each
 * guess costs a forger one SMTP command answered 550. The `return-path:` prefix keeps these
 * signatures apart from the key's other uses (tracking links, unsubscribe tokens).
 */
const sign = (secret: string, outboxId: number) =>
  createHmac('sha256', secret).update(`return-path:${outboxId}`).digest('hex').slice(0, 16);

/** Longest BOUNCE_ADDRESS local part that leaves room for `+<id>-<sig>` within RFC 5321's 64. */
export const MAX_BOUNCE_LOCAL_PART = 32;

const split = (address: string) => {
  const at = address.lastIndexOf('@');
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
};

/**
 * The envelope sender (Return-Path) of one mail: BOUNCE_ADDRESS with the mail's outbox id and its
 * signature as a `+` sub-address, so a report sent back to it names the mail it is about.
 * @example returnPathFor('bounces@mail.example.com', secret, 12) // 'bounces+12-3f9c…@mail.example.com'
 */
export function returnPathFor(bounceAddress: string, secret: string, outboxId: number): string {
  const { local, domain } = split(bounceAddress);
  return `${local}+${outboxId}-${sign(secret, outboxId)}@${domain}`;
}

/**
 * The outbox id a report recipient stands for, or `undefined` for any address that is not a
 * return path we signed (BOUNCE_ADDRESS itself, another domain, a wrong signature).
 */
export function outboxIdOfReturnPath(
  bounceAddress: string,
  secret: string,
  recipient: string,
): number | undefined {
  const ours = split(bounceAddress.toLowerCase());
  const given = split(recipient.trim().toLowerCase());
  if (given.domain !== ours.domain || !given.local.startsWith(`${ours.local}+`)) return undefined;
  const match = /^(\d{1,15})-([0-9a-f]{16})$/.exec(given.local.slice(ours.local.length + 1));
  if (!match) return undefined;
  const outboxId = Number(match[1]);
  const expected = Buffer.from(sign(secret, outboxId));
  return timingSafeEqual(expected, Buffer.from(match[2] as string)) ? outboxId : undefined;
}
