// A workflow after validation: YAML compiled to a flat program the runtime steps through.
//
// `if`/`then`/`else` compile to a `branch` (jump to `elseTarget` when the condition is false)
// and a `jump` over the else part, so a run's position is one integer: its program counter.

/** Retry policy of a step whose side effect can fail transiently (webhook, send_email). */
export interface RetryPolicy {
  /** Total attempts, first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time, with ±20% jitter. */
  backoffMs: number;
  maxBackoffMs: number;
}

interface StepBase {
  /** Unique within the workflow: the YAML `id`, else derived from the position ("steps.2.then.0"). */
  id: string;
  /** Where the step was written, for error messages: 1-based line and column. */
  line: number;
  column: number;
  retry: RetryPolicy;
}

/** Strings marked `Template` may hold `${expression}` parts (CEL over the run's scope). */
export type Template = string;
/** CEL source, evaluated over the run's scope. */
export type Expression = string;

export type Instruction =
  | (StepBase & {
      op: 'send_email';
      subject: Template;
      text?: Template;
      html?: Template;
      to?: Template;
      /** `false` when the workflow says `tracking: false`: no open pixel, links left as written. */
      tracking?: false;
    })
  | (StepBase & { op: 'send_confirmation' })
  | (StepBase & { op: 'wait'; durationMs: number })
  /** `at` evaluates to a timestamp, an ISO-8601 string or epoch milliseconds. */
  | (StepBase & { op: 'wait_until'; at: Expression })
  /**
   * Waits for an event of the run's contact whose type matches `event` (name or glob) and, when
   * given, for which `match` is true (scope + `event` bound to the candidate). Output:
   * `{ received: boolean, event: {type, params, createdAt} | null }` under `steps.<id>`.
   */
  | (StepBase & { op: 'wait_for'; event: string; match?: Expression; timeoutMs: number })
  | (StepBase & { op: 'branch'; condition: Expression; elseTarget: number })
  | { op: 'jump'; target: number }
  /** Keys: firstName, lastName, email, phone, externalId, or `fields.<name>`; values are templates. */
  | (StepBase & { op: 'update_contact'; set: Record<string, Template | number | boolean | null> })
  | (StepBase & { op: 'add_to_groups' | 'remove_from_groups'; groups: Template[] })
  | (StepBase & { op: 'add_tags' | 'remove_tags'; tags: Template[] })
  | (StepBase & {
      op: 'webhook';
      url: Template;
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      headers: Record<string, Template>;
      /** JSON body; every string inside is a template. */
      body?: unknown;
      timeoutMs: number;
      /** HMAC-SHA256 key for the signature header; defaults to the server's secret key. */
      secret?: string;
    })
  | (StepBase & { op: 'emit'; event: Template; params: Record<string, unknown> })
  | (StepBase & { op: 'stop' });

export type StepInstruction = Exclude<Instruction, { op: 'jump' }>;

export interface CompiledWorkflow {
  name: string;
  /** sha256 (hex) of the file's bytes: runs are pinned to it. */
  version: string;
  /** Event names or globs (`*` matches any run of characters). */
  on: string[];
  /** The workflow-level `if` filter, evaluated when an event would start a run. */
  filter?: Expression;
  /** `once` (default): no second run for a contact while one is active; `always`: a run per event. */
  reentry: 'once' | 'always';
  /** Event names or globs that cancel the contact's active run. */
  cancelOn: string[];
  program: Instruction[];
}

/** One problem in one file, positioned for `file:line:column: message` output. */
export interface DefinitionError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface LoadedWorkflows {
  workflows: CompiledWorkflow[];
  /** Files that failed; the others still load. */
  errors: DefinitionError[];
}
