// The shape of a form: what the widget renders, where subscribers go and what the DOI mail says.
import { z } from 'zod';
import { languages } from './widget-strings.ts';

/** Keys the subscribe body uses for built-in inputs; custom fields may not take these names. */
export const builtInFieldNames = ['email', 'phone', 'firstName', 'lastName'] as const;
/** Also Object.prototype's names: a field called `constructor` would shadow it in plain objects. */
const reservedNames = new Set<string>([
  ...builtInFieldNames,
  'consent',
  '_hp',
  '_elapsed',
  '_challenge',
  '_solution',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'letters, digits and _ only, starting with a letter');

export const formFieldSchema = z
  .object({
    name: fieldName,
    type: z.enum(['email', 'tel', 'text', 'textarea', 'checkbox', 'number']).default('text'),
    label: z.string().max(200).optional(),
    required: z.boolean().default(false),
    maxLength: z.number().int().positive().max(10_000).default(500),
  })
  .strict();
export type FormField = z.infer<typeof formFieldSchema>;

const text = (max = 2000) => z.string().min(1).max(max);

/** Site-owner text; every key is optional and falls back to the built-in English text. */
export const formTextsSchema = z
  .object({
    title: text(200),
    submit: text(100),
    success: text(),
    consentLabel: text(),
    confirmSubject: text(200),
    confirmIntro: text(),
    confirmButton: text(100),
    confirmed: text(),
    unsubscribed: text(),
  })
  .partial()
  .strict();
export type FormTexts = z.infer<typeof formTextsSchema>;

/**
 * The widget's own texts in other languages, by language code: a visitor whose language (the
 * widget's `data-lang`, else Accept-Language) has an entry sees it instead of `texts`. Mail and
 * page texts stay in `texts`: the confirmation mail goes out in one language.
 */
export const formTranslationsSchema = z.partialRecord(
  z.enum(languages),
  formTextsSchema.pick({ title: true, submit: true, success: true, consentLabel: true }).strict(),
);
export type FormTranslations = z.infer<typeof formTranslationsSchema>;

export const defaultTexts: Required<FormTexts> = {
  title: 'Subscribe to our newsletter',
  submit: 'Subscribe',
  success: 'Almost done: check your inbox and click the link to confirm your subscription.',
  consentLabel: 'I agree to receive emails and can unsubscribe at any time.',
  confirmSubject: 'Please confirm your subscription',
  confirmIntro:
    'Someone (hopefully you) asked to subscribe this address. Confirm with the link below; ' +
    'if it was not you, ignore this mail and nothing happens.',
  confirmButton: 'Confirm my subscription',
  confirmed: 'Thank you: your subscription is confirmed.',
  unsubscribed: 'You are unsubscribed and will get no more mail from us.',
};

const origin = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === v;
  } catch {
    return false;
  }
}, 'expected an origin like https://example.com (scheme, host and port only, no path)');

const redirect = z.url({ protocol: /^https?$/ }).nullable();

const fieldsSchema = z
  .array(formFieldSchema)
  .max(30)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    fields.forEach((f, i) => {
      if (seen.has(f.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate field ${f.name}` });
      }
      seen.add(f.name);
      if (reservedNames.has(f.name) && !(builtInFieldNames as readonly string[]).includes(f.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${f.name} is reserved` });
      }
    });
    if (!fields.some((f) => f.name === 'email' || f.name === 'phone')) {
      ctx.addIssue({ code: 'custom', message: 'a form needs an email or a phone field' });
    }
  });

/**
 * How the public subscribe tells people from scripts, beyond the honeypot and fill time.
 * `challenge`: the widget's proof of work is `off`, always required (`on`), or required only while
 * the form's or the subscriber's mail domain's recent rate is abnormal (`adaptive`).
 * `turnstileSiteKey`: when set, every public subscribe needs a Cloudflare Turnstile token.
 */
export const challengeModes = ['off', 'on', 'adaptive'] as const;
export type ChallengeMode = (typeof challengeModes)[number];
const botDefenceSettings = {
  challenge: z.enum(challengeModes),
  turnstileSiteKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a Turnstile site key such as 0x4AAAAAAA…')
    .nullable(),
};
export const defaultBotDefence = { challenge: 'adaptive', turnstileSiteKey: null } as const;

/** Each setting without a default, so a PATCH changes only what it names. */
const settings = {
  name: z.string().min(1).max(200),
  groups: z.array(z.string().min(1).max(200)).max(50),
  fields: fieldsSchema,
  allowedOrigins: z.array(origin).max(100),
  doubleOptIn: z.boolean(),
  requireConsent: z.boolean(),
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as US')
    .nullable(),
  texts: formTextsSchema,
  translations: formTranslationsSchema,
  redirectUrls: z.object({ success: redirect.optional(), confirmed: redirect.optional() }).strict(),
  botDefence: z.object(botDefenceSettings).partial().strict(),
};

export const formPatchSchema = z.object(settings).partial().strict();
export type FormPatch = z.infer<typeof formPatchSchema>;

/** What is stored in `forms.config` and shown (with id and times) by the API. */
export const formConfigSchema = z
  .object({
    name: settings.name,
    groups: settings.groups.default([]),
    fields: settings.fields.default([
      { name: 'email', type: 'email', required: true, maxLength: 254 },
    ]),
    allowedOrigins: settings.allowedOrigins.default([]),
    doubleOptIn: settings.doubleOptIn.default(true),
    requireConsent: settings.requireConsent.default(false),
    defaultCountry: settings.defaultCountry.default(null),
    texts: settings.texts.default({}),
    translations: settings.translations.default({}),
    redirectUrls: settings.redirectUrls.default({}),
    botDefence: z
      .object({
        challenge: botDefenceSettings.challenge.default(defaultBotDefence.challenge),
        turnstileSiteKey: botDefenceSettings.turnstileSiteKey.default(null),
      })
      .strict()
      .default(defaultBotDefence),
  })
  .strict();
export type FormConfig = z.infer<typeof formConfigSchema>;

export const formIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _ (max 64)');

export interface Form extends FormConfig {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** The built-in text for `key` unless the form overrides it. */
export function formText(
  form: Pick<FormConfig, 'texts'> | undefined,
  key: keyof FormTexts,
): string {
  return form?.texts[key] ?? defaultTexts[key];
}
