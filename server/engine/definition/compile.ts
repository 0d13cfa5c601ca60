// Turns one workflow file into a CompiledWorkflow (a flat program), or into positioned errors.
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Position, SourcePositions } from './positions.ts';
import {
  type ActionStep,
  AT_KEY,
  type ParsedStep,
  type RetrySpec,
  type WorkflowSpec,
  workflowSchema,
} from './schema.ts';
import type { CompiledWorkflow, DefinitionError, Instruction, RetryPolicy } from './types.ts';

/** Used for a step when neither it nor the workflow says otherwise. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 2_000, maxBackoffMs: 600_000 };
const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Real workflows are a few KiB; YAML parsing time grows with size, so a file is capped. */
export const MAX_WORKFLOW_BYTES = 256 * 1024;
/** Steps in one workflow, nested ones included. */
export const MAX_STEPS = 200;

export const tooLarge = (bytes: number) =>
  `the file has ${bytes} bytes; a workflow file may have at most ${MAX_WORKFLOW_BYTES} (256 KiB)`;

export interface CompileResult {
  /** Present only when `errors` is empty. */
  workflow?: CompiledWorkflow;
  errors: DefinitionError[];
}

interface Problem {
  position: Position;
  message: string;
}

/**
 * Parses, validates (including every expression and template) and compiles one file. Errors
 * point at the offending value, or at the key when the key itself is wrong or missing.
 *
 * @example compileWorkflow('workflows/welcome.yaml', await readFile(path, 'utf8'))
 */
export function compileWorkflow(file: string, source: string): CompileResult {
  const bytes = Buffer.byteLength(source);
  if (bytes > MAX_WORKFLOW_BYTES) {
    return { errors: [{ file, line: 1, column: 1, message: tooLarge(bytes) }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const positions = new SourcePositions(doc, lineCounter);
  const fail = (problems: Problem[]): CompileResult => ({ errors: toErrors(file, problems) });
  // Badly formed YAML has no trustworthy structure to validate, so stop at its errors.
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        position: positions.at(e.pos[0]),
        message: `YAML syntax error: ${e.message}`,
      })),
    );
  }
  const start = { line: 1, column: 1 };
  if (doc.contents === null) {
    return fail([
      { position: start, message: 'the file is empty; a workflow needs name, on and steps' },
    ]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail([{ position: start, message: (err as Error).message }]);
  }
  const parsed = workflowSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) return fail(parsed.error.issues.flatMap((i) => describeIssue(i, positions)));
  const { program, problems } = compileProgram(parsed.data, positions);
  if (problems.length > 0) return fail(problems);
  const spec = parsed.data;
  const workflow: CompiledWorkflow = {
    name: spec.name,
    version: createHash('sha256').update(source).digest('hex'),
    on: spec.on,
    reentry: spec.reentry,
    cancelOn: spec.cancel_on ?? [],
    program,
  };
  if (spec.if !== undefined) workflow.filter = spec.if;
  return { workflow, errors: [] };
}

function toErrors(file: string, problems: Problem[]): DefinitionError[] {
  const seen = new Set<string>();
  return problems
    .map(({ position, message }) => ({
      file,
      line: position.line,
      column: position.column,
      message,
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((e) => {
      const key = `${e.line}:${e.column}:${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** One zod issue as positioned problems: unknown keys one by one, at the key. */
function describeIssue(issue: z.core.$ZodIssue, positions: SourcePositions): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      position: positions.locate([...issue.path, key], { key: true }).position,
      message: `unknown key "${key}"; ${issue.message}`,
    }));
  }
  const atKey = issue.code === 'custom' && issue.params?.at === AT_KEY.at;
  const { position, found } = positions.locate(issue.path, { key: atKey });
  const last = issue.path.at(-1);
  if (!found && issue.input === undefined && typeof last === 'string') {
    return [{ position, message: `missing key "${last}"` }];
  }
  // Name the key the value belongs to ("wait: expected a duration…") unless the message does.
  const named = typeof last === 'string' && !atKey && !mentions(issue.message, last);
  return [{ position, message: named ? `${last}: ${issue.message}` : issue.message }];
}

const mentions = (message: string, word: string) =>
  new RegExp(`(^|[^\\w])${word.replace(/[^\w]/g, '\\$&')}($|[^\\w])`).test(message);

function mergeRetry(base: RetryPolicy, spec: RetrySpec | undefined): RetryPolicy {
  return {
    attempts: spec?.attempts ?? base.attempts,
    backoffMs: spec?.backoff ?? base.backoffMs,
    maxBackoffMs: spec?.max_backoff ?? base.maxBackoffMs,
  };
}

type Base = { id: string; line: number; column: number; retry: RetryPolicy };

/**
 * Lays the steps out flat: `if` becomes `branch` (to `elseTarget` when false), the then-steps, a
 * `jump` over the else-steps when there are any, then the else-steps. Ids must be unique.
 */
function compileProgram(spec: WorkflowSpec, positions: SourcePositions) {
  const program: Instruction[] = [];
  const problems: Problem[] = [];
  const firstUse = new Map<string, Position>();
  const defaults = mergeRetry(DEFAULT_RETRY, spec.retry);

  const layOut = (steps: ParsedStep[], path: (string | number)[]) => {
    for (const [i, step] of steps.entries()) {
      const stepPath = [...path, i];
      const { position } = positions.locate(stepPath);
      const id = step.id ?? stepPath.join('.');
      const first = firstUse.get(id);
      if (first) {
        const at = step.id ? positions.locate([...stepPath, 'id']).position : position;
        problems.push({
          position: at,
          message: `duplicate step id "${id}" (first used on line ${first.line})`,
        });
      } else {
        firstUse.set(id, position);
      }
      const retry = mergeRetry(defaults, step.action === 'if' ? undefined : step.retry);
      const base: Base = { id, line: position.line, column: position.column, retry };
      if (step.action !== 'if') {
        const instruction = instructionFor(step, base);
        // Per mail, so a run keeps the setting of the version it started on.
        if (instruction.op === 'send_email' && spec.tracking === false)
          instruction.tracking = false;
        program.push(instruction);
        continue;
      }
      const branch = { ...base, op: 'branch' as const, condition: step.condition, elseTarget: -1 };
      program.push(branch);
      layOut(step.thenSteps, [...stepPath, 'then']);
      if (step.elseSteps) {
        const jump = { op: 'jump' as const, target: -1 };
        program.push(jump);
        branch.elseTarget = program.length;
        layOut(step.elseSteps, [...stepPath, 'else']);
        jump.target = program.length;
      } else {
        branch.elseTarget = program.length;
      }
    }
  };
  layOut(spec.steps, ['steps']);
  const steps = program.filter((ins) => ins.op !== 'jump').length;
  if (steps > MAX_STEPS) {
    problems.push({
      position: positions.locate(['steps'], { key: true }).position,
      message: `the workflow has ${steps} steps (nested ones included); at most ${MAX_STEPS} are allowed: split it into workflows that emit events to each other`,
    });
  }
  return { program, problems };
}

function instructionFor(step: ActionStep, base: Base): Instruction {
  switch (step.action) {
    case 'send_email':
      return { ...base, op: 'send_email', ...step.args };
    case 'send_confirmation':
    case 'stop':
      return { ...base, op: step.action };
    case 'wait':
      return { ...base, op: 'wait', durationMs: step.args };
    case 'wait_until':
      return { ...base, op: 'wait_until', at: step.args };
    case 'wait_for': {
      const { event, match, timeout } = step.args;
      return { ...base, op: 'wait_for', event, timeoutMs: timeout, ...(match ? { match } : {}) };
    }
    case 'update_contact': {
      const { fields, ...named } = step.args;
      const set: Record<string, string | number | boolean | null> = {};
      for (const [key, value] of Object.entries(named)) if (value !== undefined) set[key] = value;
      for (const [name, value] of Object.entries(fields ?? {})) set[`fields.${name}`] = value;
      return { ...base, op: 'update_contact', set };
    }
    case 'add_to_groups':
    case 'remove_from_groups':
      return { ...base, op: step.action, groups: step.args };
    case 'add_tags':
    case 'remove_tags':
      return { ...base, op: step.action, tags: step.args };
    case 'webhook': {
      const { url, method, headers, body, timeout, secret } = step.args;
      return {
        ...base,
        op: 'webhook',
        url,
        method: method ?? 'POST',
        headers: headers ?? {},
        timeoutMs: timeout ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
        ...(body !== undefined ? { body } : {}),
        ...(secret !== undefined ? { secret } : {}),
      };
    }
    case 'emit':
      return { ...base, op: 'emit', event: step.args.event, params: step.args.params ?? {} };
  }
}
