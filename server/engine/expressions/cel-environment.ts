// CEL expressions over a run's scope, on @marcbachmann/cel-js (parsed, never eval'd), with limits.
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import {
  BudgetExceeded,
  comprehensionDepth,
  type EvaluationBudget,
  installBudget,
  makeComparisonsTolerateMissingKeys,
  withBudget,
} from './cel-patches.ts';
import { describeCelValue, fromCel, toCel } from './cel-values.ts';
import { ExpressionError, fromCelError, isMissingKey } from './expression-error.ts';

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

/**
 * Checked when a workflow loads, so a file that could freeze the server is refused with its
 * position. Real conditions and merge tags are a line long and nest one comprehension at most.
 */
export const STATIC_LIMITS = {
  sourceLength: 2_000,
  comprehensionDepth: 2,
  astNodes: 1_000,
  depth: 50,
  listElements: 200,
  mapEntries: 200,
} as const;

/**
 * Enforced while evaluating: what the static limits cannot see (sizes of the data, two nested
 * comprehensions over 200 elements). 100k steps take a few milliseconds.
 */
export const EVALUATION_BUDGET: EvaluationBudget = {
  steps: 100_000,
  stringLength: 1_000_000,
  listLength: 10_000,
  mapSize: 10_000,
};

// One environment for the process: creating one is the expensive part. Undeclared names are
// `dyn` because event params are free-form; optional types give `contact.?fields.?plan.orValue("")`.
const env = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
  limits: {
    maxAstNodes: STATIC_LIMITS.astNodes,
    maxDepth: STATIC_LIMITS.depth,
    maxListElements: STATIC_LIMITS.listElements,
    maxMapEntries: STATIC_LIMITS.mapEntries,
    maxCallArguments: 32,
  },
});

// The evaluator is private to the environment; the root node of a probe expression is handed it.
{
  const probe = env.parse('true');
  (probe.ast as unknown as { evaluate: (ev: unknown) => unknown }).evaluate = (ev) => {
    installBudget(ev as Parameters<typeof installBudget>[0]);
    return true;
  };
  probe({});
}

export type CelFunction = ParseResult;

const compiled = new Map<string, CelFunction>();
// Sources come from workflow files, so the cache stays small; the cap only guards against misuse.
export const MAX_CACHED = 10_000;

/** Parses and type-checks once per source; throws ExpressionError with the cel-js message. */
export function compileCel(source: string): CelFunction {
  const hit = compiled.get(source);
  if (hit) return hit;
  if (source.length > STATIC_LIMITS.sourceLength) {
    throw new ExpressionError(
      `an expression may be at most ${STATIC_LIMITS.sourceLength} characters, this one has ${source.length}`,
      { code: 'limit', expression: `${source.slice(0, 40)}…` },
    );
  }
  let fn: CelFunction;
  try {
    fn = env.parse(source);
  } catch (err) {
    throw fromCelError(err, source, 'syntax');
  }
  const depth = comprehensionDepth(fn.ast);
  if (depth > STATIC_LIMITS.comprehensionDepth) {
    throw new ExpressionError(
      `comprehensions (all, exists, exists_one, map, filter) nest ${depth} deep; at most ${STATIC_LIMITS.comprehensionDepth} are allowed`,
      { code: 'limit', expression: source },
    );
  }
  // Type-checking with dyn variables still catches `1 + "a"`, unknown functions and arity.
  const checked = fn.check();
  if (!checked.valid) throw fromCelError(checked.error, source, 'type');
  makeComparisonsTolerateMissingKeys(fn.ast);
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(source, fn);
  return fn;
}

/**
 * Evaluates a compiled expression within EVALUATION_BUDGET, with `scope` converted for CEL. The
 * raw CEL result is returned; errors are cel-js's own, or an ExpressionError for a spent budget.
 */
export function runCel(fn: CelFunction, source: string, context: Record<string, unknown>): unknown {
  try {
    return withBudget(EVALUATION_BUDGET, () => fn(context));
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    throw new ExpressionError(
      `the expression ${err.message}; simplify it or nest fewer comprehensions`,
      { code: 'limit', expression: source, cause: err },
    );
  }
}

/**
 * Compiles `source` once (cached) and returns an evaluator that yields plain JS values (see
 * `fromCel`). Throws ExpressionError on a syntax or type error; the returned function throws
 * ExpressionError too (code `missing_key` when the expression reads a key the scope lacks, `limit`
 * when it goes over its budget).
 *
 * @example compileExpression('ContactId + 1')({ contact: {}, event: {}, steps: {}, ContactId: 5 }) // 6
 */
export function compileExpression(source: string): (scope: Scope) => unknown {
  const fn = compileCel(source);
  return (scope) => {
    try {
      return fromCel(runCel(fn, source, toCel(scope) as Record<string, unknown>));
    } catch (err) {
      throw fromCelError(err, source, 'evaluation');
    }
  };
}

/** Throws ExpressionError when `source` does not parse, type-check or keep within the limits. */
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
    value = runCel(fn, source, toCel(scope) as Record<string, unknown>);
  } catch (err) {
    if (isMissingKey(err)) return false;
    throw fromCelError(err, source, 'evaluation');
  }
  if (typeof value === 'boolean') return value;
  throw new ExpressionError(`a condition must be true or false, got ${describeCelValue(value)}`, {
    code: 'result',
    expression: source,
  });
}
