// A step as one visit of the runtime sees it; shared by advance-run.ts and the step handlers.
import type { StepRow } from '../db/schema.ts';

/** A step as this visit sees it: its stored row, if any, with this visit counted as an attempt. */
export interface StepVisit {
  runId: number;
  stepId: string;
  op: string;
  iteration: number;
  status: StepRow['status'];
  attempts: number;
  output: string | null;
  /** The stored error and end time, kept as they are by a write that does not change them. */
  error: string | null;
  finishedAt: number | null;
  startedAt: number;
}
