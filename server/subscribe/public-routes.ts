// Public, unauthenticated form endpoints used by the widget and by plain HTML forms.

import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { AdaptiveRates } from '../bot-defence/adaptive-rates.ts';
import {
  type BotCheckContext,
  checkPublicSubscribe,
} from '../bot-defence/check-public-subscribe.ts';
import { mailboxOf } from '../contacts/mailbox.ts';
import { transactionRunner } from '../db/group-commit.ts';
import { BadRequestError, BotCheckFailedError, ForbiddenError } from '../errors.ts';
import type { Form } from '../forms/form-schema.ts';
import { getForm } from '../forms/forms-store.ts';
import { publicDefinition, widgetStrings } from '../forms/public-definition.ts';
import { bodyLimit } from '../http/body-limit.ts';
import { clientIp } from '../http/client-ip.ts';
import { html, page } from '../http/html.ts';
import { rejectUnstorableTextInBody } from '../http/input-guard.ts';
import { isFormType, isJsonType, parseMediaType } from '../http/media-type.ts';
import { rateLimitPerIp } from '../http/rate-limit.ts';
import { applyFormCors, originAllowed, preflightHeaders } from './form-cors.ts';
import { asFormFieldError, parsePublicSubscribeBody } from './public-input.ts';
import { ResponseFloor } from './response-floor.ts';
import { type SubscribeInput, subscribeContact } from './subscribe-contact.ts';

const PUBLIC_BODY_LIMIT = 16 * 1024;

/** Widget strings for this request's language (`?lang` or Accept-Language). */
const stringsForRequest = (form: Form, c: Context) =>
  widgetStrings(form, undefined, c.req.header('accept-language'));

/** The same answer for every address state, so the endpoint reveals nothing about who exists. */
const accepted = (form: Form, c: Context) => ({
  status: 'accepted',
  message: stringsForRequest(form, c).strings.success,
});

export function publicFormRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { db, config } = deps;
  const floor = new ResponseFloor();
  // Concurrent subscribes share a commit on SQLite (db/group-commit.ts).
  const commits = transactionRunner(db, deps.wakeups);
  const rates = new AdaptiveRates(
    { formRate: config.CHALLENGE_FORM_RATE, domainRate: config.CHALLENGE_DOMAIN_RATE },
    config.timings,
  );
  const botCheckContext = (c: Context): BotCheckContext => ({
    db,
    secretKey: deps.secretKey,
    rates,
    turnstile: { secret: config.TURNSTILE_SECRET_KEY, verifyUrl: config.TURNSTILE_VERIFY_URL },
    logger: c.get('logger'),
    now: Date.now(),
  });

  app.get('/v1/forms/:formId', async (c) => {
    const form = await getForm(db, c.req.param('formId'));
    const lang = c.req.query('lang');
    // The definition is public; the widget needs it to explain a refusal on a foreign site.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=60');
    c.header('Vary', 'Origin, Accept-Language');
    return c.json(
      publicDefinition(form, {
        lang,
        acceptLanguage: c.req.header('accept-language'),
        originAllowed: originAllowed(form, c.req.header('origin')),
      }),
    );
  });

  app.options('/v1/forms/:formId/subscribe', async (c) => {
    const form = await getForm(db, c.req.param('formId'));
    applyFormCors(c, form);
    preflightHeaders(c);
    return c.body(null, 204);
  });

  app.post(
    '/v1/forms/:formId/subscribe',
    rateLimitPerIp(deps, {
      perMinute: config.SUBSCRIBE_RATE_LIMIT,
      trustedProxies: config.TRUST_PROXY,
    }),
    bodyLimit(PUBLIC_BODY_LIMIT),
    rejectUnstorableTextInBody(),
    async (c) => {
      const form = await getForm(db, c.req.param('formId'));
      applyFormCors(c, form);
      if (!originAllowed(form, c.req.header('origin'))) {
        throw new ForbiddenError(`form ${form.id} does not accept subscriptions from this site`);
      }
      const isJson = isJsonType(parseMediaType(c.req.header('content-type')));
      const body = parsePublicSubscribeBody(form, await readBody(c, isJson));
      const isBot =
        Boolean(body.honeypot) ||
        (body.elapsedMs !== undefined && body.elapsedMs < config.timings.minFillMs);
      const ip = clientIp(c, config.TRUST_PROXY);
      if (!isBot) {
        try {
          await checkPublicSubscribe(botCheckContext(c), {
            form,
            domain: body.email ? mailboxOf(body.email).domain : undefined,
            challenge: body.challenge,
            solution: body.solution,
            turnstileToken: body.turnstileToken,
            ip,
          });
        } catch (err) {
          // A plain form's visitor cannot send a proof: tell the person, not the program.
          if (isJson || !(err instanceof BotCheckFailedError)) throw err;
          const { strings, lang, dir } = stringsForRequest(form, c);
          return c.html(
            page(strings.title, html`<p lang="${lang}" dir="${dir}">${strings.needsScript}</p>`),
            403,
          );
        }
      }
      const timer = floor.start();
      let workMs: number | undefined;
      if (isBot) {
        c.get('logger').info({ form: form.id, ip }, 'bot-like subscribe ignored');
      } else {
        const input: SubscribeInput = {
          email: body.email,
          phone: body.phone,
          firstName: body.firstName,
          lastName: body.lastName,
          fields: body.fields,
          groups: form.groups,
          formType: form.id,
          form,
          source: `form:${form.id}`,
          consent: { ip, userAgent: c.req.header('user-agent') ?? null },
          mode: 'fill',
        };
        const context = {
          logger: c.get('logger'),
          publicUrl: config.PUBLIC_URL,
          timings: config.timings,
        };
        workMs = await commits(async (tx) => {
          const started = performance.now();
          await subscribeContact({ ...tx, ...context }, input);
          return performance.now() - started;
        }).catch((err) => {
          throw asFormFieldError(err);
        });
      }
      // Bots wait too, so timing does not tell them they were caught.
      await timer.finish({ record: !isBot, workMs });
      if (isJson) return c.json(accepted(form, c), 202);
      if (form.redirectUrls.success) return c.redirect(form.redirectUrls.success, 303);
      const { strings, lang, dir } = stringsForRequest(form, c);
      return c.html(
        page(strings.title, html`<p lang="${lang}" dir="${dir}">${strings.success}</p>`),
        202,
      );
    },
  );

  return app;
}

/** The body rejectUnstorableTextInBody has already read and checked (Hono caches it). */
async function readBody(c: Context, isJson: boolean): Promise<unknown> {
  if (isJson) {
    try {
      return await c.req.json();
    } catch {
      throw new BadRequestError('malformed JSON body');
    }
  }
  if (isFormType(parseMediaType(c.req.header('content-type')))) return c.req.parseBody();
  throw new BadRequestError('send application/json or application/x-www-form-urlencoded');
}
