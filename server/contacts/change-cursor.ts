// The change feed's cursor: an opaque, URL-safe token for a position (change stamp, contact id).

/** A place in the feed's `(change_seq, id)` order; the feed answers what comes after it. */
export interface ChangePosition {
  seq: number;
  id: number;
}

/** Before every contact: stamps start at 0 and ids at 1. */
export const FEED_START: ChangePosition = { seq: 0, id: 0 };

/**
 * The cursor for a position. Base64url of a JSON pair, so callers treat it as a token (nothing
 * to edit by hand) while it stays readable in a debugger.
 * @example encodeChangeCursor({ seq: 812, id: 42 }) // 'WzgxMiw0Ml0'
 */
export function encodeChangeCursor(position: ChangePosition): string {
  return Buffer.from(JSON.stringify([position.seq, position.id])).toString('base64url');
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The position a cursor encodes; `undefined` for anything encodeChangeCursor did not make. */
export function decodeChangeCursor(cursor: string): ChangePosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(cursor)) return undefined;
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [seq, id] = pair;
  return isCount(seq) && isCount(id) ? { seq, id } : undefined;
}
