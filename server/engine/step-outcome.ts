// What executing one step decided; advance-run.ts turns it into one transaction.
import type { LabelKind } from '../contacts/labels/labels.ts';
import type { Tx } from '../db/unit-of-work.ts';

/**
 * Groups or tags to add to or remove from the run's contact: an effect stated rather than run, so
 * a round of runs changing the same labels does it in one call for all their contacts.
 */
export interface LabelChange {
  kind: LabelKind;
  add: boolean;
  names: string[];
}

export type StepOutcome =
  /**
   * Done: write `effects` (whatever they return, if not undefined, becomes the output) and
   * `labels`, the step's output, and move to `nextPc` (default: the next instruction).
   */
  | {
      kind: 'done';
      output: unknown;
      effects?: (tx: Tx) => Promise<unknown>;
      labels?: LabelChange;
      nextPc?: number;
      eventCursor?: number;
    }
  /**
   * Come back at `until`; `waitingFor` lets a matching event wake the run early. `recheck` runs in
   * the transaction that writes the sleep, under the contact's lock (step-records.ts): an event
   * committed after the step looked, and dispatched before the sleep was written, found no run
   * waiting for it, so the step must see it here; an outcome returned replaces the sleep.
   */
  | {
      kind: 'sleep';
      until: number;
      output: unknown;
      waitingFor?: string;
      recheck?: (tx: Tx) => Promise<StepOutcome | undefined>;
    }
  /** A transient failure: try the step again after `delayMs`. */
  | { kind: 'retry'; error: string; delayMs: number }
  /** The run fails with this error. */
  | { kind: 'fail'; error: string }
  /** `stop`: the run ends successfully here. */
  | { kind: 'end'; output: unknown };
