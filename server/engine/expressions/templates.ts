// `${…}` templates: literal text with CEL expressions in it, found by a scanner that knows CEL strings.
import { type CelFunction, compileCel, runCel, type Scope } from './cel-environment.ts';
import { fromCel, toCel } from './cel-values.ts';
import { ExpressionError, fromCelError, isMissingKey } from './expression-error.ts';

/** `$!{…}`: the value goes into an HTML part as is (trusted markup); `${…}` is escaped there. */
const RAW_OPEN = '$!{';
const OPEN = '${';

type TemplatePart = string | { source: string; offset: number; raw: boolean; fn: CelFunction };

/** A piece of a rendered template: text the author wrote, or the value of one `${…}`. */
export interface Segment {
  text: string;
  /** Written in the workflow file, not produced by an expression. */
  literal: boolean;
  /** From a `$!{…}`: the author vouches for it as HTML. */
  raw: boolean;
}

const templates = new Map<string, TemplatePart[]>();
const MAX_CACHED = 10_000;

/** The next `${` or `$!{` at or after `from`: its index and the index where the expression starts. */
function nextOpening(template: string, from: number): { at: number; start: number; raw: boolean } {
  const plain = template.indexOf(OPEN, from);
  const raw = template.indexOf(RAW_OPEN, from);
  if (raw !== -1 && (plain === -1 || raw < plain))
    return { at: raw, start: raw + RAW_OPEN.length, raw: true };
  return { at: plain, start: plain + OPEN.length, raw: false };
}

/**
 * Splits a template into literal text and `${expr}` parts. The closing brace is found by a small
 * scanner that skips string literals and nested braces, so `${{"a": 1}["a"]}` and `${"}"}` work.
 */
function parseTemplate(template: string): TemplatePart[] {
  const hit = templates.get(template);
  if (hit) return hit;
  const parts: TemplatePart[] = [];
  let literalStart = 0;
  let open = nextOpening(template, 0);
  while (open.at !== -1) {
    const { at, start, raw } = open;
    const end = findClosingBrace(template, start);
    if (end === -1) {
      throw new ExpressionError(`"${raw ? RAW_OPEN : OPEN}" without a closing "}"`, {
        code: 'syntax',
        expression: template,
        offset: at,
      });
    }
    const source = template.slice(start, end);
    if (!source.trim()) {
      throw new ExpressionError(`empty "${raw ? RAW_OPEN : OPEN}}"`, {
        code: 'syntax',
        expression: template,
        offset: at,
      });
    }
    let fn: CelFunction;
    try {
      fn = compileCel(source);
    } catch (err) {
      const e = err as ExpressionError;
      // Re-anchor the position on the whole template, which is what the author sees.
      throw new ExpressionError(e.summary, {
        code: e.code,
        expression: template,
        offset: start + (e.offset ?? 0),
        cause: e,
      });
    }
    if (at > literalStart) parts.push(template.slice(literalStart, at));
    parts.push({ source, offset: start, raw, fn });
    literalStart = end + 1;
    open = nextOpening(template, literalStart);
  }
  if (literalStart < template.length) parts.push(template.slice(literalStart));
  if (templates.size >= MAX_CACHED) templates.clear();
  templates.set(template, parts);
  return parts;
}

/** Index of the `}` closing an expression that starts at `from`, or -1. */
function findClosingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const triple = text.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      i += quote.length;
      while (i < text.length && !text.startsWith(quote, i)) i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) return -1;
      i += quote.length - 1;
    } else if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/**
 * Throws ExpressionError when an expression inside the template does not compile, or when it
 * uses `$!{…}` where raw output means nothing (`allowRaw` is for HTML parts only).
 */
export function checkTemplate(template: string, { allowRaw = false } = {}): void {
  const parts = parseTemplate(template);
  if (allowRaw) return;
  const raw = parts.find((p) => typeof p !== 'string' && p.raw);
  if (raw && typeof raw !== 'string') {
    throw new ExpressionError(`"${RAW_OPEN}…}" (unescaped HTML) is only allowed in html`, {
      code: 'syntax',
      expression: template,
      offset: raw.offset - RAW_OPEN.length,
    });
  }
}

/**
 * Renders a template as segments, so a caller can treat typed values differently from the
 * author's text (escape them in HTML, never turn them into links).
 */
export function renderTemplate(template: string, scope: Scope): Segment[] {
  const parts = parseTemplate(template);
  if (parts.length === 1 && typeof parts[0] === 'string')
    return [{ text: parts[0], literal: true, raw: false }];
  const context = toCel(scope) as Record<string, unknown>;
  const out: Segment[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      out.push({ text: part, literal: true, raw: false });
      continue;
    }
    try {
      out.push({
        text: render(fromCel(runCel(part.fn, part.source, context))),
        literal: false,
        raw: part.raw,
      });
    } catch (err) {
      // A missing field renders as nothing, like an empty merge tag in a mail tool.
      if (!isMissingKey(err)) throw fromCelError(err, part.source, 'evaluation');
    }
  }
  return out;
}

/**
 * Replaces each `${expr}` with its value: strings as is, numbers in plain notation, null and
 * missing keys as "", timestamps as ISO-8601, lists and maps as JSON.
 *
 * @example interpolate('Hi ${contact.firstName}', scope) // "Hi Ann"
 */
export function interpolate(template: string, scope: Scope): string {
  return renderTemplate(template, scope)
    .map((s) => s.text)
    .join('');
}

function render(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
