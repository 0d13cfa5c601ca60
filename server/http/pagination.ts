// Keyset pages (newest first, by id): `{items, nextCursor}` where the cursor is the last id seen.
import { z } from '@hono/zod-openapi';

/** Query fields every list endpoint takes. */
export const pageQuery = {
  // Bounded: a cursor past the id column's range (PostgreSQL bigint) would fail in the query.
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, 'expected a nextCursor from a previous page')
    .refine(
      (v) => Number(v) <= Number.MAX_SAFE_INTEGER,
      'expected a nextCursor from a previous page',
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
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
