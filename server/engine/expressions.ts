// CEL expressions and `${…}` templates over a run's scope, on @marcbachmann/cel-js (parsed, never eval'd).
import { Environment, Optional, type ParseResult } from '@marcbachmann/cel-js';

/**
 * What an expression can see: the run's contact, the triggering event, earlier steps' outputs, and
 * the event's params at top level (so `${EmailAddress}` works as on the reference platform).
 */
export type Scope = {
  contact: Record<string, unknown>;
  event: Record<string, unknown>;
  steps: Record<string, unknown>;
  [param: string]: unknown;
};

type ErrorCode = 'syntax' | 'type' | 'missing_key' | 'evaluation' | 'result';

/** A bad expression (at compile time) or a failed evaluation; `offset` is 0-based into `expression`. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  readonly code: ErrorCode;
  /** The message without the position, e.g. "Unexpected token: PLUS". */
  readonly summary: string;
  readonly expression: string;
  readonly offset: number | undefined;

  constructor(
    summary: string,
    opts: { code: ErrorCode; expression: string; offset?: number; cause?: unknown },
  ) {
    const where = opts.offset === undefined ? 'in' : `at character ${opts.offset + 1} of`;
    super(`${summary} ${where} ${JSON.stringify(opts.expression)}`, { cause: opts.cause });
    this.code = opts.code;
    this.summary = summary;
    this.expression = opts.expression;
    this.offset = opts.offset;
  }
}

// One environment for the process: creating one is the expensive part. Undeclared names are
// `dyn` because event params are free-form; optional types give `contact.?fields.?plan.orValue("")`.
const env = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
});

type CelFunction = ParseResult;
type CelError = Error & { code?: string; summary?: string; range?: { start: number } };

const compiled = new Map<string, CelFunction>();
// Sources come from workflow files, so the cache stays small; the cap only guards against misuse.
const MAX_CACHED = 10_000;

/** Parses and type-checks once per source; throws ExpressionError with the cel-js message. */
function compileCel(source: string): CelFunction {
  const hit = compiled.get(source);
  if (hit) return hit;
  let fn: CelFunction;
  try {
    fn = env.parse(source);
  } catch (err) {
    throw fromCelError(err, source, 'syntax');
  }
  // Type-checking with dyn variables still catches `1 + "a"`, unknown functions and arity.
  const checked = fn.check();
  if (!checked.valid) throw fromCelError(checked.error, source, 'type');
  makeComparisonsTolerateMissingKeys(fn.ast);
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(source, fn);
  return fn;
}

function isCelError(err: unknown): err is CelError {
  return err instanceof Error && typeof (err as CelError).code === 'string';
}

// An absent event param (EmailAddress is omitted when only a phone was given) is a missing key
// too: params are free-form, so a name cannot be known to be a typo.
const isMissingKey = (err: unknown) =>
  isCelError(err) && (err.code === 'no_such_key' || err.code === 'unknown_variable');

function fromCelError(err: unknown, expression: string, code: ErrorCode): ExpressionError {
  if (err instanceof ExpressionError) return err;
  if (!isCelError(err)) {
    return new ExpressionError(String((err as Error)?.message ?? err), {
      code,
      expression,
      cause: err,
    });
  }
  return new ExpressionError(err.summary ?? err.message, {
    code: isMissingKey(err) ? 'missing_key' : code,
    expression,
    offset: err.range?.start,
    cause: err,
  });
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in']);

interface PatchableNode {
  op: string;
  args: unknown;
  meta?: { evaluate?: (ev: unknown, ast: unknown, ctx: unknown) => unknown };
  evaluate: (ev: unknown, ast: unknown, ctx: unknown) => unknown;
}

const isNode = (v: unknown): v is PatchableNode =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as PatchableNode).op === 'string' &&
  typeof (v as PatchableNode).evaluate === 'function';

/**
 * Users write `contact.fields.plan == "pro"` for contacts that have no `plan`; plain CEL fails
 * with "No such key". Here a comparison whose operand reads a missing key is false instead, and
 * for equality the missing value counts as null: `== "pro"` false, `!= "pro"` true, `== null`
 * true. Ordering and `in` are false. Done by wrapping the comparison nodes of the parsed AST
 * (cel-js calls `node.evaluate`); if the library's internals ever change shape, nodes are left
 * alone and the whole-condition rule in `evaluateCondition` still keeps the run alive.
 */
function makeComparisonsTolerateMissingKeys(root: unknown): void {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (!isNode(value)) {
      // Argument lists, map entries and macro payloads hold nodes too.
      for (const child of Object.values(value)) visit(child);
      return;
    }
    visit(value.args);
    const inner = value.meta?.evaluate;
    if (!COMPARISONS.has(value.op) || typeof inner !== 'function' || !Array.isArray(value.args)) {
      return;
    }
    const node = value;
    const operands = value.args as PatchableNode[];
    node.evaluate = function evaluateComparison(ev, ast, ctx) {
      try {
        return inner(ev, ast, ctx);
      } catch (err) {
        if (!isMissingKey(err)) throw err;
        if (node.op !== '==' && node.op !== '!=') return false;
        const nullish = operands.every((operand) => {
          try {
            return operand.evaluate(ev, operand, ctx) === null;
          } catch (e) {
            if (isMissingKey(e)) return true;
            throw e;
          }
        });
        return node.op === '==' ? nullish : !nullish;
      }
    };
  };
  visit(root);
}

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

/**
 * Compiles `source` once (cached) and returns an evaluator that yields plain JS values (see
 * `fromCel`). Throws ExpressionError on a syntax or type error; the returned function throws
 * ExpressionError too (code `missing_key` when the expression reads a key the scope lacks).
 *
 * @example compileExpression('ContactId + 1')({ contact: {}, event: {}, steps: {}, ContactId: 5 }) // 6
 */
export function compileExpression(source: string): (scope: Scope) => unknown {
  const fn = compileCel(source);
  return (scope) => {
    try {
      return fromCel(fn(toCel(scope) as Record<string, unknown>));
    } catch (err) {
      throw fromCelError(err, source, 'evaluation');
    }
  };
}

/** Throws ExpressionError when `source` does not parse or type-check. */
export function checkExpression(source: string): void {
  compileCel(source);
}

/**
 * Evaluates a condition (`if`, `match`, the workflow filter). A condition that reads a missing key
 * outside any comparison (e.g. `has(a.b.c)` with no `a.b`) is false rather than failing the run;
 * a result that is not a boolean is an error.
 *
 * @example evaluateCondition('contact.fields.plan == "pro"', scope) // false when there is no plan
 */
export function evaluateCondition(source: string, scope: Scope): boolean {
  const fn = compileCel(source);
  let value: unknown;
  try {
    value = fn(toCel(scope) as Record<string, unknown>);
  } catch (err) {
    if (isMissingKey(err)) return false;
    throw fromCelError(err, source, 'evaluation');
  }
  if (typeof value === 'boolean') return value;
  throw new ExpressionError(`a condition must be true or false, got ${describe(value)}`, {
    code: 'result',
    expression: source,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `double ${value}`;
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : typeof value;
}

type TemplatePart = string | { source: string; offset: number; fn: CelFunction };

const templates = new Map<string, TemplatePart[]>();

/**
 * Splits a template into literal text and `${expr}` parts. The closing brace is found by a small
 * scanner that skips string literals and nested braces, so `${{"a": 1}["a"]}` and `${"}"}` work.
 */
function parseTemplate(template: string): TemplatePart[] {
  const hit = templates.get(template);
  if (hit) return hit;
  const parts: TemplatePart[] = [];
  let literalStart = 0;
  let i = template.indexOf('${');
  while (i !== -1) {
    const start = i + 2;
    const end = findClosingBrace(template, start);
    if (end === -1) {
      throw new ExpressionError(`"\${" without a closing "}"`, {
        code: 'syntax',
        expression: template,
        offset: i,
      });
    }
    const source = template.slice(start, end);
    if (!source.trim()) {
      throw new ExpressionError(`empty "\${}"`, {
        code: 'syntax',
        expression: template,
        offset: i,
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
    if (i > literalStart) parts.push(template.slice(literalStart, i));
    parts.push({ source, offset: start, fn });
    literalStart = end + 1;
    i = template.indexOf('${', literalStart);
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

/** Throws ExpressionError when an expression inside the template does not compile. */
export function checkTemplate(template: string): void {
  parseTemplate(template);
}

/**
 * Replaces each `${expr}` with its value: strings as is, numbers in plain notation, null and
 * missing keys as "", timestamps as ISO-8601, lists and maps as JSON.
 *
 * @example interpolate('Hi ${contact.firstName}', scope) // "Hi Ann"
 */
export function interpolate(template: string, scope: Scope): string {
  const parts = parseTemplate(template);
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  const context = toCel(scope) as Record<string, unknown>;
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    try {
      out += render(fromCel(part.fn(context)));
    } catch (err) {
      // A missing field renders as nothing, like an empty merge tag in a mail tool.
      if (!isMissingKey(err)) throw fromCelError(err, part.source, 'evaluation');
    }
  }
  return out;
}

function render(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
