// Request body size limit that reports 413 through the shared error family.
import type { Context, Next } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../errors.ts';

/**
 * `maxBytes` for every path but those given a limit of their own (an import's CSV upload).
 * @example bodyLimit(10 << 20, { '/api/v1/imports': 100 << 20 })
 */
export function bodyLimit(maxBytes: number, byPath: Record<string, number> = {}) {
  const limiter = (limit: number) =>
    honoBodyLimit({
      maxSize: limit,
      onError: () => {
        throw new PayloadTooLargeError(`request body is larger than ${limit} bytes`);
      },
    });
  const general = limiter(maxBytes);
  const special = new Map(Object.entries(byPath).map(([path, limit]) => [path, limiter(limit)]));
  return function bodyLimit(c: Context, next: Next) {
    return (special.get(c.req.path) ?? general)(c, next);
  };
}
