// Phone numbers to E.164 with libphonenumber-js, keeping what is known about them.
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Named like ip1's phone metadata, which integrators filter on. */
export interface PhoneMeta {
  isPossible: boolean;
  isValid: boolean;
  type: string | null;
  country: string | null;
  /** E.164 without the plus: what SMS gateways call the MSISDN. */
  msisdn: string;
  isBlocked: boolean;
}

export interface NormalizedPhone {
  e164: string;
  meta: PhoneMeta;
}

/**
 * Normalizes a typed phone number. Returns `undefined` when it cannot be a phone number at all
 * (not even a *possible* one); a possible but invalid number is kept with `isValid: false`.
 * @example normalizePhone('0171 2345678', 'DE')?.e164 // '+491712345678'
 */
export function normalizePhone(
  input: string,
  defaultCountry?: string | null,
): NormalizedPhone | undefined {
  const cleaned = input.trim();
  // "00" is the international prefix in most countries; "+" is what the parser understands.
  const international = cleaned.startsWith('00') ? `+${cleaned.slice(2)}` : cleaned;
  const parsed = parsePhoneNumberFromString(international, {
    defaultCountry: (defaultCountry ?? undefined) as CountryCode | undefined,
    extract: false,
  });
  if (!parsed?.isPossible()) return undefined;
  return {
    e164: parsed.number,
    meta: {
      isPossible: true,
      isValid: parsed.isValid(),
      type: parsed.getType() ?? null,
      country: parsed.country ?? null,
      msisdn: parsed.number.slice(1),
      isBlocked: false,
    },
  };
}
