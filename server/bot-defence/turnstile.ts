// Cloudflare Turnstile: asks siteverify whether a visitor's token is good (server side, each post).
import { z } from 'zod';

const siteverifyAnswer = z.object({
  success: z.boolean(),
  'error-codes': z.array(z.string()).default([]),
});

export type TurnstileVerdict = { success: true } | { success: false; reason: string };

/** Cloudflare answers within a second; a hung call must not hold the visitor much longer. */
const TIMEOUT_MS = 5_000;

/**
 * One siteverify call (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/).
 * A token is good once, for five minutes. When Cloudflare cannot be asked the answer is a failure:
 * a form that asks for Turnstile never lets a post through unverified.
 * @example await verifyTurnstile({ verifyUrl, secret, token: body['cf-turnstile-response'], ip })
 */
export async function verifyTurnstile(input: {
  verifyUrl: string;
  secret: string;
  token: string;
  ip: string | null;
}): Promise<TurnstileVerdict> {
  const form = new URLSearchParams({ secret: input.secret, response: input.token });
  if (input.ip) form.set('remoteip', input.ip);
  let answer: unknown;
  try {
    const res = await fetch(input.verifyUrl, {
      method: 'POST',
      body: form,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) return { success: false, reason: `siteverify answered ${res.status}` };
    answer = await res.json();
  } catch (err) {
    return { success: false, reason: `siteverify unreachable: ${(err as Error).message}` };
  }
  const parsed = siteverifyAnswer.safeParse(answer);
  if (!parsed.success) return { success: false, reason: 'siteverify answered something else' };
  if (parsed.data.success) return { success: true };
  return { success: false, reason: parsed.data['error-codes'].join(', ') || 'rejected' };
}
