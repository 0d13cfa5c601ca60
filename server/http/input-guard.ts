// Refuses NUL bytes in the path, the query and parsed bodies, once for every route: PostgreSQL text
// cannot hold them (a 500 deep in a query), and no legitimate input carries one.
import type { MiddlewareHandler } from 'hono';
import { BadRequestError, ValidationError } from '../errors.ts';
import { isFormType, isJsonType, parseMediaType } from './media-type.ts';

const NUL = '\u0000';
const NUL_MESSAGE = 'must not contain NUL bytes';

/** A readable field name even when the key itself holds the NUL. */
const printable = (key: string) => key.replaceAll(NUL, '\\0');

/** The dotted path of the first string (value or key) holding a NUL, if any. */
function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path || '(body)' : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNul(item, path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object' && !(value instanceof Blob)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${printable(key)}` : printable(key);
      if (key.includes(NUL)) return at;
      const found = findNul(item, at);
      if (found) return found;
    }
  }
  return undefined;
}

/** Path and query string; `%00` decodes to a NUL in both. */
export function rejectNulInUrl(): MiddlewareHandler {
  return async function rejectNulInUrl(c, next) {
    const url = new URL(c.req.url);
    if (/%00/i.test(url.pathname) || url.pathname.includes(NUL)) {
      throw new ValidationError([{ field: 'path', message: NUL_MESSAGE }]);
    }
    for (const [key, value] of url.searchParams) {
      if (key.includes(NUL) || value.includes(NUL)) {
        throw new ValidationError([{ field: `query.${printable(key)}`, message: NUL_MESSAGE }]);
      }
    }
    await next();
  };
}

/**
 * JSON and form bodies, parsed once here (Hono caches the body for the handler). Mount it after
 * the body limit, which must see the body first. Empty bodies pass: a DELETE may send a type.
 */
export function rejectNulInBody(): MiddlewareHandler {
  return async function rejectNulInBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const type = parseMediaType(c.req.header('content-type'));
    let body: unknown;
    if (isJsonType(type)) {
      const text = await c.req.text();
      if (text.trim() === '') return next();
      try {
        body = JSON.parse(text);
      } catch {
        throw new BadRequestError('malformed JSON body');
      }
    } else if (isFormType(type)) {
      try {
        body = await c.req.parseBody({ all: true });
      } catch {
        throw new BadRequestError(
          `malformed ${type?.essence} body (a multipart body needs the boundary its header names)`,
        );
      }
    }
    const field = findNul(body, '');
    if (field) throw new ValidationError([{ field, message: NUL_MESSAGE }]);
    await next();
  };
}
