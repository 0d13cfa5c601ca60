// What executing one step decided; advance-run.ts turns it into one transaction.
import type { Tx } from '../db/unit-of-work.ts';

export type StepOutcome =
  /**
   * Done: write `effects` (whatever they return, if not undefined, becomes the output) and the
   * step's output, and move to `nextPc` (default: the next instruction).
   */
  | {
      kind: 'done';
      output: unknown;
      effects?: (tx: Tx) => Promise<unknown>;
      nextPc?: number;
      eventCursor?: number;
    }
  /** Come back at `until`; `waitingFor` lets a matching event wake the run early. */
  | { kind: 'sleep'; until: number; output: unknown; waitingFor?: string }
  /** A transient failure: try the step again after `delayMs`. */
  | { kind: 'retry'; error: string; delayMs: number }
  /** The run fails with this error. */
  | { kind: 'fail'; error: string }
  /** `stop`: the run ends successfully here. */
  | { kind: 'end'; output: unknown };
