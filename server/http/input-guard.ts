// Refuses text PostgreSQL cannot store (NUL bytes, lone UTF-16 surrogates) in the path, the query
// and parsed bodies, once for every route: a 500 deep in a query otherwise, and no legitimate
// input carries either.
import type { MiddlewareHandler } from 'hono';
import { BadRequestError, ValidationError } from '../errors.ts';
import { isFormType, isJsonType, parseMediaType } from './media-type.ts';

const NUL = '\u0000';
const NUL_MESSAGE = 'must not contain NUL bytes';
/**
 * A surrogate not paired with its other half: JSON may write one (`"\ud800"`), JavaScript keeps it,
 * but PostgreSQL's jsonb refuses it (every later query casting the row's fields fails) and its
 * text turns it into U+FFFD. With the `u` flag a well-formed pair is one code point, not a match.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;
const SURROGATE_MESSAGE =
  'must be well-formed Unicode: a lone UTF-16 surrogate (like \\ud800) cannot be stored';

/** Why `text` cannot be stored, or `undefined` when it can. */
function unstorable(text: string): string | undefined {
  if (text.includes(NUL)) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE;
  return undefined;
}

/** A readable field name even when the key itself holds what it is refused for. */
const printable = (key: string) =>
  key
    .replaceAll(NUL, '\\0')
    .replace(LONE_SURROGATE_ALL, (s) => `\\u${s.charCodeAt(0).toString(16)}`);

/** Deeper bodies are refused: no endpoint takes them, and walking them recursively would overflow. */
const MAX_DEPTH = 64;

/** The first problem in a parsed body: unstorable text (in a value or a key), or too deep a nesting. */
function findProblem(body: unknown): { field: string; message: string } | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value, path, depth } = item;
    if (typeof value === 'string') {
      const message = unstorable(value);
      if (message) return { field: path || '(body)', message };
      continue;
    }
    if (!value || typeof value !== 'object' || value instanceof Blob) continue;
    if (depth >= MAX_DEPTH) {
      return { field: path || '(body)', message: `must not nest more than ${MAX_DEPTH} levels` };
    }
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${printable(key)}` : printable(key);
      const message = unstorable(key);
      if (message) return { field: at, message };
      pending.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Path and query string; `%00` decodes to a NUL in both. Percent-encoded UTF-8 cannot spell a
 * lone surrogate (decoders make it U+FFFD or keep the escape), but the query is checked for one
 * all the same, so no decoder's leniency reaches the database.
 */
export function rejectUnstorableTextInUrl(): MiddlewareHandler {
  return async function rejectUnstorableTextInUrl(c, next) {
    const url = new URL(c.req.url);
    if (/%00/i.test(url.pathname) || url.pathname.includes(NUL)) {
      throw new ValidationError([{ field: 'path', message: NUL_MESSAGE }]);
    }
    for (const [key, value] of url.searchParams) {
      const message = unstorable(key) ?? unstorable(value);
      if (message) throw new ValidationError([{ field: `query.${printable(key)}`, message }]);
    }
    await next();
  };
}

/**
 * JSON and form bodies, parsed once here (Hono caches the body for the handler). Mount it after
 * the body limit, which must see the body first. Empty bodies pass: a DELETE may send a type.
 */
export function rejectUnstorableTextInBody(): MiddlewareHandler {
  return async function rejectUnstorableTextInBody(c, next) {
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
