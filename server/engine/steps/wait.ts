// The wait and wait_until steps: sleep until a time fixed on the first visit.
import { compileExpression } from '../expressions/cel-environment.ts';
import { PermanentStepError } from '../step-errors.ts';
import type { StepOutcome } from '../step-outcome.ts';
import { type StepHandler, stepOutput } from './step-input.ts';

/** Due times are whole milliseconds in the store (bigint on PostgreSQL): a fraction rounds up. */
const sleepUntil = (at: number, now: number): StepOutcome => {
  const until = Math.ceil(at);
  return until <= now
    ? { kind: 'done', output: { until } }
    : { kind: 'sleep', until, output: { until } };
};

export const wait: StepHandler<'wait'> = (ins, { step, now }) =>
  sleepUntil((stepOutput(step).until as number | undefined) ?? now + ins.durationMs, now);

/**
 * The latest time a Date holds (±8.64e15 ms, year 275760). Past it a number is no time, and past
 * 2^63 the store cannot hold it: PostgreSQL refused every write of the run, which stayed claimed.
 */
const LAST_TIME_MS = 8.64e15;

export const waitUntil: StepHandler<'wait_until'> = (ins, { step, scope, now }) => {
  const until =
    (stepOutput(step).until as number | undefined) ?? toEpochMs(compileExpression(ins.at)(scope));
  if (until === undefined || !(Math.abs(until) <= LAST_TIME_MS))
    throw new PermanentStepError('wait_until: the expression did not give a time');
  return sleepUntil(until, now);
};

function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
