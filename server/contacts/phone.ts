// Phone numbers to E.164 with libphonenumber-js, keeping what is known about them.
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';

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

/** How to read numbers written without an international prefix (inwise's "local mobile"). */
export interface PhoneOptions {
  /** An ISO country (`IL`) or a calling code (`972`, `+972`). */
  defaultCountry?: string | null;
  /** Drop leading zeros before the default country's code is put in front. */
  trimLeadingZero?: boolean;
}

/**
 * The calling codes of countries (`1`, `44`, `972`). Not any one to three digits: the parser
 * throws on a code no country has (`999`, `0`), and a national number needs a country's plan.
 */
const CALLING_CODES = new Set(getCountries().map((country) => getCountryCallingCode(country)));

/** A default country as the parser takes it, or `undefined` when it names no country. */
function defaultOf(
  value: string,
): { defaultCallingCode: string } | { defaultCountry: CountryCode } | undefined {
  const code = value.trim().replace(/^\+/, '');
  if (CALLING_CODES.has(code)) return { defaultCallingCode: code };
  const iso = code.toUpperCase();
  return isSupportedCountry(iso) ? { defaultCountry: iso } : undefined;
}

/** True when `value` names a country libphonenumber knows, by ISO code or calling code. */
export function isPhoneCountry(value: string): boolean {
  return defaultOf(value) !== undefined;
}

type ParseOptions = Parameters<typeof parsePhoneNumberFromString>[1];

/** The parser's options per default country, made once: an import reads every row with the same. */
const parseOptions = new Map<string, ParseOptions>();

function optionsFor(defaultCountry: string | null | undefined): ParseOptions {
  const key = defaultCountry ?? '';
  let options = parseOptions.get(key);
  if (!options) {
    // A few countries and calling codes in practice; anything else is still answered, not kept.
    options = { ...(defaultCountry ? defaultOf(defaultCountry) : undefined), extract: false };
    if (parseOptions.size < 1000) parseOptions.set(key, options);
  }
  return options;
}

/** One reading; a default country that names none is left out rather than thrown on. */
function parse(text: string, defaultCountry: string | null | undefined): PhoneNumber | undefined {
  return parsePhoneNumberFromString(text, optionsFor(defaultCountry));
}

/**
 * The readings of a typed number, best first: as written with `+` or `00`; else, for digits
 * alone, as a national number of the default country and as international digits without the
 * `+` (`380942583691`, seed 002's own example).
 */
function readings(input: string, options: PhoneOptions): PhoneNumber[] {
  const cleaned = input.trim();
  if (cleaned.startsWith('+')) return [parse(cleaned, null)].filter((p) => p !== undefined);
  // "00" is the international prefix in most countries; "+" is what the parser understands.
  if (cleaned.startsWith('00')) return [parse(`+${cleaned.slice(2)}`, null)].filter((p) => !!p);
  const national = options.trimLeadingZero ? cleaned.replace(/^0+/, '') : cleaned;
  const candidates = [
    options.defaultCountry ? parse(national, options.defaultCountry) : undefined,
    /^[\d\s().-]+$/.test(cleaned) && !cleaned.startsWith('0')
      ? parse(`+${cleaned}`, null)
      : undefined,
  ];
  return candidates.filter((p): p is PhoneNumber => p !== undefined);
}

/**
 * Normalizes a typed phone number. Returns `undefined` when it cannot be a phone number at all
 * (not even a *possible* one); a possible but invalid number is kept with `isValid: false`.
 * Of several readings, a valid one wins over one that is only possible.
 * @example normalizePhone('0171 2345678', 'DE')?.e164 // '+491712345678'
 * @example normalizePhone('0541111111', { defaultCountry: '972', trimLeadingZero: true })
 */
export function normalizePhone(
  input: string,
  options: string | null | PhoneOptions = {},
): NormalizedPhone | undefined {
  const opts =
    typeof options === 'object' && options !== null ? options : { defaultCountry: options };
  // With the full metadata a number is valid exactly when it has a type (libphonenumber's own
  // isValid works so): one type lookup per reading instead of three, the costly part of an import.
  const possible = readings(input, opts)
    .filter((p) => p.isPossible())
    .map((p) => ({ parsed: p, type: p.getType() }));
  const best = possible.find((p) => p.type !== undefined) ?? possible[0];
  if (!best) return undefined;
  const { parsed, type } = best;
  return {
    e164: parsed.number,
    meta: {
      isPossible: true,
      isValid: type !== undefined,
      type: type ?? null,
      country: parsed.country ?? null,
      msisdn: parsed.number.slice(1),
      isBlocked: false,
    },
  };
}
