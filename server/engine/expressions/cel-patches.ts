// Changes to how cel-js evaluates, reaching into its internals: tolerant comparisons and a budget.
//
// Both depend on the shape of cel-js 8 (AST nodes with `op`, `args`, `meta.evaluate`; an evaluator
// whose `run` evaluates every node and whose `tryEval` swallows errors for CEL's `||`, `&&` and
// quantifiers). Tests in expressions/ pin that shape: an upgrade that changes it fails them.
import { isMissingKey } from './expression-error.ts';

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in']);

interface PatchableNode {
  op: string;
  args: unknown;
  meta?: {
    evaluate?: (ev: unknown, ast: unknown, ctx: unknown) => unknown;
    alternate?: PatchableNode;
  };
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
export function makeComparisonsTolerateMissingKeys(root: unknown): void {
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
 * How deeply comprehension macros (`all`, `exists`, `exists_one`, `map`, `filter`) nest inside
 * each other's bodies: the cost of an expression grows as list size to this power. A chain
 * (`l.filter(…).map(…)`) does not nest: the receiver is evaluated once.
 */
export function comprehensionDepth(root: unknown): number {
  const depthOf = (value: unknown): number => {
    if (Array.isArray(value)) return Math.max(0, ...value.map(depthOf));
    if (!isNode(value)) return 0;
    // cel-js parses `recv.all(x, body)` to an `rcall` node (args: receiver, name, [x, body])
    // whose `meta.alternate` is the expanded comprehension.
    if (value.op === 'rcall' && value.meta?.alternate?.op === 'comprehension') {
      const [receiver, , lambda] = value.args as unknown[];
      return Math.max(depthOf(receiver), 1 + depthOf(lambda));
    }
    return typeof value.args === 'object' ? depthOf(Object.values(value.args ?? {})) : 0;
  };
  return depthOf(root);
}

/** What one evaluation may spend: evaluated nodes, and the size of any value it builds. */
export interface EvaluationBudget {
  steps: number;
  stringLength: number;
  listLength: number;
  mapSize: number;
}

/** Thrown (one instance per evaluation, so a swallowed copy costs nothing) when a budget runs out. */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

interface Evaluator {
  run(ast: unknown, ctx: unknown): unknown;
  tryEval(ast: unknown, ctx: unknown): unknown;
}

let current: { remaining: number; budget: EvaluationBudget; exceeded?: BudgetExceeded } | undefined;

function exceed(message: string): never {
  const state = current as NonNullable<typeof current>;
  state.exceeded ??= new BudgetExceeded(message);
  throw state.exceeded;
}

function checkSize(value: unknown, budget: EvaluationBudget): unknown {
  if (typeof value === 'string') {
    if (value.length > budget.stringLength)
      exceed(`built a string longer than ${budget.stringLength} characters`);
  } else if (Array.isArray(value)) {
    if (value.length > budget.listLength)
      exceed(`built a list longer than ${budget.listLength} elements`);
  } else if (value instanceof Map && value.size > budget.mapSize) {
    exceed(`built a map larger than ${budget.mapSize} entries`);
  }
  return value;
}

/**
 * Counts every node the evaluator runs and checks every value it produces, while `withBudget`
 * is active; outside it the evaluator behaves as shipped. Patched on the evaluator's prototype,
 * so it holds for every expression of every environment.
 */
export function installBudget(evaluator: Evaluator): void {
  const proto = Object.getPrototypeOf(evaluator) as Evaluator & { budgeted?: true };
  if (proto.budgeted) return;
  const run = proto.run;
  const tryEval = proto.tryEval;
  proto.run = function budgetedRun(ast, ctx) {
    if (!current) return run.call(this, ast, ctx);
    if (current.exceeded || --current.remaining < 0) {
      exceed(`exceeded its evaluation budget of ${current.budget.steps} steps`);
    }
    return checkSize(run.call(this, ast, ctx), current.budget);
  };
  // CEL lets `||`, `&&` and quantifiers absorb an error; a spent budget must end the evaluation.
  proto.tryEval = function budgetedTryEval(ast, ctx) {
    const value = tryEval.call(this, ast, ctx);
    if (current?.exceeded && value === current.exceeded) throw value;
    return value;
  };
  proto.budgeted = true;
}

/** Runs one synchronous evaluation under `budget`; throws BudgetExceeded when it is spent. */
export function withBudget<T>(budget: EvaluationBudget, evaluate: () => T): T {
  const outer = current;
  current = { remaining: budget.steps, budget };
  try {
    const value = evaluate();
    // An error CEL absorbed (`true || <spent>`) still means the evaluation went over.
    if (current.exceeded) throw current.exceeded;
    // The root node is evaluated without `run`, so its value is checked here.
    return checkSize(value, budget) as T;
  } finally {
    current = outer;
  }
}
