// The wait steps store whole-millisecond due times, whatever number an expression gives.
import { describe, expect, it } from 'vitest';
import type { StepInstruction } from '../definition/types.ts';
import type { StepInput } from './step-input.ts';
import { wait, waitUntil } from './wait.ts';

const NOW = 1_000_000;
const input = (scope: Record<string, unknown> = {}) =>
  ({ step: { output: null }, scope, now: NOW }) as unknown as StepInput;
const until = (at: string, scope: Record<string, unknown>) =>
  waitUntil({ op: 'wait_until', at } as StepInstruction & { op: 'wait_until' }, input(scope));

describe('wait_until', () => {
  it('rounds a fractional time up to the next whole millisecond', () => {
    expect(until('event.at', { event: { at: NOW + 1000.25 } })).toEqual({
      kind: 'sleep',
      until: NOW + 1001,
      output: { until: NOW + 1001 },
    });
  });

  it('refuses a time that is not a finite number', () => {
    expect(() => until('event.at', { event: { at: Number.POSITIVE_INFINITY } })).toThrow(
      /did not give a time/,
    );
  });
});

describe('wait', () => {
  it('sleeps a fractional duration to a whole millisecond', () => {
    const ins = { op: 'wait', durationMs: 0.5 } as StepInstruction & { op: 'wait' };
    expect(wait(ins, input())).toMatchObject({ kind: 'sleep', until: NOW + 1 });
  });
});
