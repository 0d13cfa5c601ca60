import { describe, expect, it } from 'vitest';
import { isFormType, isJsonType, parseMediaType } from './media-type.ts';

describe('parseMediaType', () => {
  it('lower-cases type and subtype and reads parameters, quoted or not', () => {
    expect(parseMediaType('Application/JSON; Charset="UTF-8"; q=1')).toEqual({
      essence: 'application/json',
      params: { charset: 'UTF-8', q: '1' },
    });
  });

  it('tells JSON and form types from look-alikes', () => {
    const json = (h: string) => isJsonType(parseMediaType(h));
    expect(json('APPLICATION/JSON')).toBe(true);
    expect(json('application/merge-patch+json')).toBe(true);
    expect(json('application/jsonx')).toBe(false);
    expect(json('application/json-seq')).toBe(false);
    expect(json('application/json garbage')).toBe(false);
    expect(isFormType(parseMediaType('Multipart/Form-Data; boundary=x'))).toBe(true);
    expect(isFormType(parseMediaType('text/plain'))).toBe(false);
    expect(parseMediaType(undefined)).toBeUndefined();
  });
});
