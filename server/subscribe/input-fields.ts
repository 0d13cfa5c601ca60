// Zod pieces shared by the public and the API subscribe bodies.
import { z } from 'zod';
import { type NormalizedPhone, normalizePhone } from '../contacts/phone.ts';

/** Lower-cased, trimmed address; CR/LF and other header tricks fail the format check. */
export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'))
  .superRefine((v, ctx) => {
    // SMTP's limits (RFC 5321 §4.5.3.1): refused here rather than by the server at send time.
    const at = v.lastIndexOf('@');
    if (at > 64)
      ctx.addIssue({ code: 'custom', message: 'the part before @ must be at most 64 characters' });
    if (
      v
        .slice(at + 1)
        .split('.')
        .some((label) => label.length > 63)
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'each part of the domain must be at most 63 characters',
      });
    }
  })
  .transform((v) => v.toLowerCase());

/** Plain single-line text: control characters are refused rather than silently stripped. */
export const lineSchema = (max = 200) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !/\p{Cc}/u.test(v), 'must not contain control characters or line breaks');

/** A raw phone string; parsed with the form's default country. */
export const phoneSchema = (defaultCountry: string | null | undefined) =>
  z
    .string()
    .trim()
    .min(1)
    .max(40, 'must be at most 40 characters')
    .transform((v, ctx): NormalizedPhone => {
      const phone = normalizePhone(v, defaultCountry);
      if (!phone) {
        ctx.addIssue({
          code: 'custom',
          message: defaultCountry
            ? `is not a possible phone number (default country ${defaultCountry})`
            : 'is not a possible phone number; use international format like +44 20 7946 0958',
        });
        return z.NEVER;
      }
      return phone;
    });
