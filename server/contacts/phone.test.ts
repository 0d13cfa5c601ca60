import { describe, expect, it } from 'vitest';
import { normalizePhone } from './phone.ts';

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
