// Statements whose text depends only on their shape (a table, a row count), compiled once and run
// with flat value lists: compiling 500 rows through Kysely cost more than SQLite spent running them.
import { CompiledQuery, type Kysely } from 'kysely';
import { dialectOf } from './dialect.ts';

/**
 * Shapes kept: an import uses a few (full slices and the last one of each statement), the engine's
 * round writes one per round size (up to 32 each).
 */
const TEXTS_KEPT = 256;
const texts = new Map<string, string>();

/**
 * The SQL text of a statement shape on this database's dialect, compiled the first time; `shape`
 * must name everything the text depends on but the values.
 * @example shapeText(db, `insert:${rows}`, () => sql`…`.compile(db))
 */
export function shapeText(db: Kysely<any>, shape: string, compile: () => CompiledQuery): string {
  const key = `${dialectOf(db).name}:${shape}`;
  let text = texts.get(key);
  if (text === undefined) {
    if (texts.size >= TEXTS_KEPT) texts.clear();
    text = compile().sql;
    texts.set(key, text);
  }
  return text;
}

/** Runs a shape's text with its values, in the order the compiled text binds them. */
export const runShape = <R>(db: Kysely<any>, text: string, values: unknown[]) =>
  db.executeQuery<R>(CompiledQuery.raw(text, values));

/** `count` placeholders' worth of values, for compiling a shape (the real ones are bound later). */
export const holes = (count: number) => new Array<null>(count).fill(null);
