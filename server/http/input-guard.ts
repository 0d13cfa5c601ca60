// Refuses NUL bytes in the path, the query and parsed bodies, once for every route: PostgreSQL text
// cannot hold them (a 500 deep in a query), and no legitimate input carries one.
import type { MiddlewareHandler } from 'hono';
import { BadRequestError, ValidationError } from '../errors.ts';
import { isFormType, isJsonType, parseMediaType } from './media-type.ts';

const NUL = '\u0000';
const NUL_MESSAGE = 'must not contain NUL bytes';

/** A readable field name even when the key itself holds the NUL. */
const printable = (key: string) => key.replaceAll(NUL, '\\0');

/** Deeper bodies are refused: no endpoint takes them, and walking them recursively would overflow. */
const MAX_DEPTH = 64;

/** The first problem in a parsed body: a string (value or key) holding a NUL, or too deep a nesting. */
function findProblem(body: unknown): { field: string; message: string } | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value, path, depth } = item;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return { field: path || '(body)', message: NUL_MESSAGE };
      continue;
    }
    if (!value || typeof value !== 'object' || value instanceof Blob) continue;
    if (depth >= MAX_DEPTH) {
      return { field: path || '(body)', message: `must not nest more than ${MAX_DEPTH} levels` };
    }
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${printable(key)}` : printable(key);
      if (key.includes(NUL)) return { field: at, message: NUL_MESSAGE };
      pending.push({ value: child, path: at, depth: depth + 1 });
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
    const problem = findProblem(body);
    if (problem) throw new ValidationError([problem]);
    await next();
  };
}
