// Templates inside JSON values (webhook bodies, emit params): every string is rendered.
import type { Scope } from '../expressions/cel-environment.ts';
import { interpolate } from '../expressions/templates.ts';

/** Interpolates every string inside a JSON value. */
export function renderDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return interpolate(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope)]));
  }
  return value;
}
