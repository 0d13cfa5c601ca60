// What every step handler is given, and the shape of a handler: decide the outcome, defer writes.
import type { ContactRow, RunRow } from '../../db/schema.ts';
import type { StepInstruction } from '../definition/types.ts';
import type { EngineContext } from '../engine-context.ts';
import type { Scope } from '../expressions/cel-environment.ts';
import type { RunState } from '../run-scope.ts';
import type { StepOutcome } from '../step-outcome.ts';
import type { StepVisit } from '../step-visit.ts';

export interface StepInput {
  ctx: EngineContext;
  run: RunRow;
  step: StepVisit;
  state: RunState;
  contact: ContactRow | undefined;
  scope: Scope;
  now: number;
}

/** Executes one kind of step: reads what it needs and returns an outcome; writes go in `effects`. */
export type StepHandler<Op extends StepInstruction['op']> = (
  // An intersection, not Extract: `add_to_groups` shares one union member with `remove_from_groups`.
  ins: StepInstruction & { op: Op },
  input: StepInput,
) => Promise<StepOutcome> | StepOutcome;

/** What this step stored on an earlier visit (a wait's deadline). */
export const stepOutput = (step: StepVisit) =>
  (step.output ? JSON.parse(step.output) : {}) as Record<string, unknown>;
