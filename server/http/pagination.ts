// Keyset pages (newest first, by id): `{items, nextCursor}` where the cursor is the last id seen.
import { z } from '@hono/zod-openapi';
import { isIdText } from './api-app.ts';

/**
 * For a query value's schema: a key given twice reaches the validator as an array, which zod
 * would report as "expected string, received array" (or, coerced, as NaN).
 */
export const givenOnce = (key: string) => ({
  error: (issue: { input?: unknown }) =>
    Array.isArray(issue.input) ? `give ${key} once` : undefined,
});

const CURSOR_MESSAGE = 'expected a nextCursor from a previous page';
const LIMIT_MESSAGE = 'expected a whole number from 1 to 1000';

/** A page size as written: `0x10`, `1e2` or `5.0` would read as numbers but are not written so. */
export const limitQuery = z
  .string(givenOnce('limit'))
  .refine((text) => /^[1-9][0-9]{0,3}$/.test(text) && Number(text) <= 1000, LIMIT_MESSAGE)
  .transform(Number)
  .default(100)
  .openapi({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });

/** Query fields every list endpoint takes. */
export const pageQuery = {
  // An id, so it fits the id column (PostgreSQL bigint); empty is the first page, as if absent.
  cursor: z
    .string(givenOnce('cursor'))
    .refine((text) => text === '' || isIdText(text), CURSOR_MESSAGE)
    .transform((text) => (text === '' ? undefined : Number(text)))
    .optional()
    .openapi({
      type: 'string',
      description: '`nextCursor` of the previous page; empty or absent: the first page',
    }),
  limit: limitQuery,
};

/** Rows fetched with `limit + 1` become a page; the extra row only says there is a next one. */
export function toPage<R extends { id: number }, V>(
  rows: R[],
  limit: number,
  view: (row: R) => V,
): { items: V[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(view),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  };
}
