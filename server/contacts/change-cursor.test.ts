import { describe, expect, it } from 'vitest';
import { decodeChangeCursor, encodeChangeCursor, FEED_START } from './change-cursor.ts';

describe('change cursor', () => {
  it('round-trips a position, including the start and bigint-sized stamps', () => {
    for (const position of [FEED_START, { seq: 812, id: 42 }, { seq: 2 ** 40, id: 7 }])
      expect(decodeChangeCursor(encodeChangeCursor(position))).toEqual(position);
  });

  it('is URL-safe', () => {
    expect(encodeChangeCursor({ seq: 2 ** 50, id: 2 ** 31 })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses what it did not make', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const bad of [
      '',
      'not a cursor',
      '12',
      b64('[1]'),
      b64('[1,2,3]'),
      b64('{"seq":1,"id":2}'),
      b64('[-1,2]'),
      b64('[1.5,2]'),
      b64('["1",2]'),
      b64(`[${2 ** 53},1]`),
      b64('[1,'),
      'A'.repeat(101),
    ])
      expect(decodeChangeCursor(bad), bad).toBeUndefined();
  });
});
