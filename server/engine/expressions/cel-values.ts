// Values crossing into and out of CEL: JSON-ish scope data in, plain JS results out.
import { Optional } from '@marcbachmann/cel-js';

/**
 * JS values as CEL wants them: integral numbers become int (BigInt), so `ContactId == 5` and
 * `ContactId + 1` work; other numbers stay double (`contact.fields.score > 0.5`; CEL compares int
 * with double, but int + double has no overload: write `double(x) * 1.5`). `undefined` properties
 * are dropped so they read as missing keys.
 */
export function toCel(value: unknown, depth = 0): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  // JSON data never nests this deep; the cap only protects against cyclic objects.
  if (depth > 64) return null;
  if (value instanceof Date || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => toCel(v === undefined ? null : v, depth + 1));
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) if (v !== undefined) out[String(k)] = toCel(v, depth + 1);
  return out;
}

/** CEL results as plain JS: ints → number (a decimal string beyond 2^53), maps → objects. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : `${value}`;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Optional) return value.hasValue() ? fromCel(value.value()) : null;
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCel(v)]));
  }
  // cel-js Duration (valueOf: milliseconds) renders as CEL's "90s"; uint has `.value`; types print.
  if ('seconds' in value && 'nanos' in value) return `${Number(value.valueOf()) / 1000}s`;
  if ('value' in value && typeof value.value !== 'function') return fromCel(value.value);
  return String(value);
}

/** Names a CEL value's kind in an error message. */
export function describeCelValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `double ${value}`;
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : typeof value;
}
