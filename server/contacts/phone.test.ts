// Phone parsing: E.164 and metadata, local numbers with a default country, and which countries count.
import { describe, expect, it } from 'vitest';
import { isPhoneCountry, normalizePhone } from './phone.ts';

describe('normalizePhone', () => {
  it('normalizes a national number with the default country and trims the trunk zero', () => {
    expect(normalizePhone('0171 2345678', 'DE')).toMatchObject({
      e164: '+491712345678',
      meta: {
        isPossible: true,
        isValid: true,
        type: 'MOBILE',
        country: 'DE',
        msisdn: '491712345678',
        isBlocked: false,
      },
    });
  });

  it('reads an international number without a default country', () => {
    expect(normalizePhone('+380 94 258 3691')?.e164).toBe('+380942583691');
    expect(normalizePhone('00380942583691')?.e164).toBe('+380942583691');
  });

  it('keeps a possible but invalid number, flagged invalid', () => {
    const phone = normalizePhone('+1 555 012 3456');
    expect(phone?.meta.isPossible).toBe(true);
    expect(phone?.meta.isValid).toBe(false);
  });

  it('refuses what cannot be a number', () => {
    expect(normalizePhone('hello')).toBeUndefined();
    expect(normalizePhone('12')).toBeUndefined();
    expect(normalizePhone('12345', 'US')).toBeUndefined();
  });
});

describe('normalizePhone for numbers written without a prefix', () => {
  it('reads international digits without + (seed 002, ip1)', () => {
    expect(normalizePhone('380942583691')?.e164).toBe('+380942583691');
    expect(normalizePhone('46712345678')?.e164).toBe('+46712345678');
  });

  it('reads a local number with a default calling code and a trimmed leading zero (inwise)', () => {
    const options = { defaultCountry: '972', trimLeadingZero: true };
    expect(normalizePhone('0541111111', options)?.e164).toBe('+972541111111');
    expect(normalizePhone('972541111111', options)?.e164).toBe('+972541111111');
    expect(normalizePhone('0541111111', { defaultCountry: 'IL' })?.e164).toBe('+972541111111');
    expect(normalizePhone('+972541111111', { defaultCountry: 'DE' })?.e164).toBe('+972541111111');
  });

  it('prefers a valid reading to a merely possible one', () => {
    expect(normalizePhone('541111111', { defaultCountry: 'IL' })?.e164).toBe('+972541111111');
  });
});

describe('isPhoneCountry', () => {
  it('takes ISO countries and the calling codes of real countries, with or without +', () => {
    for (const value of ['IL', 'de', '972', '+972', '1', '44', ' 380 '])
      expect(isPhoneCountry(value), value).toBe(true);
  });

  it('refuses calling codes no country has, and unknown ISO codes', () => {
    for (const value of ['999', '0', '+999', '00', '+', '', 'XX', 'ZZ', '1234', '800'])
      expect(isPhoneCountry(value), value).toBe(false);
  });
});

describe('normalizePhone with a default country nobody validated', () => {
  it('never throws on an unknown calling code or country: the number is read without it', () => {
    for (const defaultCountry of ['999', '0', '+999', 'XX', '800']) {
      expect(() => normalizePhone('0541111111', { defaultCountry })).not.toThrow();
      expect(normalizePhone('+972541111111', { defaultCountry })?.e164).toBe('+972541111111');
    }
  });
});
