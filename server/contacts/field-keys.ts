// Custom field keys as a body writes them: at most 100 a request, each kept as given or refused.
import { z } from '@hono/zod-openapi';

/** Keys one request may give a contact; far more is no contact's data but a mistake or an attack. */
export const MAX_FIELDS = 100;

/**
 * Keys a JavaScript object does not keep as given (`__proto__` sets its prototype, so parsing drops
 * it) or that stand for what every object has (`contact.fields.constructor` in a workflow).
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A key as the body wrote it, and where (relative to the value being checked). */
export interface WrittenKey {
  key: string;
  path: (string | number)[];
}

/**
 * Adds an issue for each key that would not be kept as given: a reserved one, or one that is an
 * earlier key once trimmed (`plan` and ` plan`, or `7` and `"7"`), which would overwrite it.
 */
export function checkFieldKeys(keys: WrittenKey[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const { key, path } of keys) {
    const trimmed = key.trim();
    if (RESERVED_KEYS.has(trimmed)) {
      ctx.addIssue({ code: 'custom', path, message: `"${trimmed}" cannot be a field key` });
      continue;
    }
    const earlier = seen.get(trimmed);
    if (earlier === undefined) seen.set(trimmed, key);
    else
      ctx.addIssue({ code: 'custom', path, message: `the same key as "${earlier}" once trimmed` });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys of `{key: value}` or eSputnik's `[{id, value}]`, before zod parses them away. */
function writtenKeys(raw: unknown): WrittenKey[] | undefined {
  if (isRecord(raw)) return Object.keys(raw).map((key) => ({ key, path: [key] }));
  if (!Array.isArray(raw)) return undefined;
  return raw.flatMap((item, i) =>
    isRecord(item) && (typeof item.id === 'string' || typeof item.id === 'number')
      ? [{ key: String(item.id), path: [i, 'id'] }]
      : [],
  );
}

/**
 * Wraps the schema of a contact's `fields`: the count and the keys are checked on the raw value,
 * because parsing an object drops `__proto__` and trimming merges keys without a word.
 */
export function checkedFields<T extends z.ZodType>(schema: T) {
  return z.preprocess((raw, ctx) => {
    const keys = writtenKeys(raw);
    if (!keys) return raw;
    const count = Array.isArray(raw) ? raw.length : keys.length;
    if (count > MAX_FIELDS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_FIELDS} keys (got ${count})` });
      return z.NEVER;
    }
    checkFieldKeys(keys, ctx);
    return raw;
  }, schema);
}

/** For a record whose keys become field keys (ip1's `properties`): checks them before parsing. */
export function checkedKeys<T extends z.ZodType>(schema: T) {
  return z.preprocess((raw, ctx) => {
    if (isRecord(raw)) checkFieldKeys(writtenKeys(raw) ?? [], ctx);
    return raw;
  }, schema);
}
