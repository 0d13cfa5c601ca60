// The bot defence of a public subscribe: the proof of work when required, and Turnstile when set.
import type { DB } from '../db/open-database.ts';
import { BotCheckFailedError } from '../errors.ts';
import type { Form } from '../forms/form-schema.ts';
import type { Logger } from '../logger.ts';
import { botCheckRefusals } from '../metrics/counters.ts';
import type { AdaptiveRates } from './adaptive-rates.ts';
import { readChallenge } from './challenge-token.ts';
import { solves } from './proof-of-work.ts';
import { spendChallenge } from './spent-challenges.ts';
import { verifyTurnstile } from './turnstile.ts';

export interface BotCheckContext {
  db: DB;
  secretKey: string;
  rates: AdaptiveRates;
  turnstile: { secret: string | undefined; verifyUrl: string };
  logger: Logger;
  now: number;
}

export interface BotCheckInput {
  form: Form;
  /** The subscriber's mail domain, whose recent confirmation rate an adaptive form watches. */
  domain: string | undefined;
  /** `_challenge` and `_solution` of the body, as the widget sends them. */
  challenge: string | undefined;
  solution: string | undefined;
  /** `cf-turnstile-response` of the body. */
  turnstileToken: string | undefined;
  ip: string | null;
}

type Reason =
  | 'missing'
  | 'forged'
  | 'other_form'
  | 'expired'
  | 'unsolved'
  | 'replayed'
  | 'turnstile_missing'
  | 'turnstile_failed';

function refuse(reason: Reason, message: string): never {
  botCheckRefusals.inc({ reason });
  throw new BotCheckFailedError(message);
}

/**
 * Passes, or throws BotCheckFailedError saying what is missing or wrong. The challenge is spent
 * last, once everything else passed, so a post refused for another reason can be sent again.
 * @example await checkPublicSubscribe(ctx, { form, domain: 'example.com', challenge, solution, … })
 */
export async function checkPublicSubscribe(
  ctx: BotCheckContext,
  input: BotCheckInput,
): Promise<void> {
  const { form } = input;
  const mode = form.botDefence.challenge;
  const abnormal =
    mode === 'adaptive'
      ? await ctx.rates.abnormal(ctx.db, { formId: form.id, domain: input.domain }, ctx.now)
      : undefined;
  const required = mode === 'on' || abnormal !== undefined;
  const challenge = required ? verifiedChallenge(ctx, input) : undefined;
  if (form.botDefence.turnstileSiteKey) await checkTurnstile(ctx, input);
  if (challenge && !(await spendChallenge(ctx.db, challenge.salt, challenge.expiresAt))) {
    refuse(
      'replayed',
      `this challenge was used already: each subscribe needs a new one from ${challengeUrl(form)}`,
    );
  }
}

const challengeUrl = (form: Form) => `GET /v1/forms/${form.id}/challenge`;

/** The challenge, signed by us for this form, unexpired and solved: checks that cost no I/O. */
function verifiedChallenge(ctx: BotCheckContext, input: BotCheckInput) {
  const { form } = input;
  if (!input.challenge || !input.solution) {
    refuse(
      'missing',
      `form ${form.id} requires a proof of work at the moment: get a challenge from ` +
        `${challengeUrl(form)} and send it as _challenge with its _solution (the widget does this by itself)`,
    );
  }
  const challenge = readChallenge(ctx.secretKey, input.challenge);
  if (!challenge) refuse('forged', '_challenge is not a challenge this server issued');
  if (challenge.formId !== form.id) {
    refuse('other_form', `_challenge was issued for another form, not ${form.id}`);
  }
  if (challenge.expiresAt <= ctx.now) {
    refuse('expired', `_challenge has expired: get a new one from ${challengeUrl(form)}`);
  }
  if (!solves(challenge.salt, input.solution, challenge.difficulty)) {
    refuse('unsolved', '_solution does not solve _challenge');
  }
  return challenge;
}

async function checkTurnstile(ctx: BotCheckContext, input: BotCheckInput): Promise<void> {
  if (!input.turnstileToken) {
    refuse(
      'turnstile_missing',
      `form ${input.form.id} requires a Cloudflare Turnstile token (cf-turnstile-response)`,
    );
  }
  if (!ctx.turnstile.secret) {
    ctx.logger.error(
      { form: input.form.id },
      'form has a turnstileSiteKey but TURNSTILE_SECRET_KEY is unset: its posts are refused',
    );
    refuse('turnstile_failed', 'the Turnstile token cannot be verified on this server');
  }
  const verdict = await verifyTurnstile({
    verifyUrl: ctx.turnstile.verifyUrl,
    secret: ctx.turnstile.secret,
    token: input.turnstileToken,
    ip: input.ip,
  });
  if (!verdict.success) {
    ctx.logger.info({ form: input.form.id, reason: verdict.reason }, 'Turnstile token refused');
    refuse('turnstile_failed', 'the Turnstile token was not accepted: solve the widget again');
  }
}
