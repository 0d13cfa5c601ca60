// The `if` step: evaluates its condition and jumps to the else part when it is false.
import { evaluateCondition } from '../expressions/cel-environment.ts';
import type { StepHandler } from './step-input.ts';

export const branch: StepHandler<'branch'> = (ins, { scope }) => {
  const result = evaluateCondition(ins.condition, scope);
  return { kind: 'done', output: { result }, nextPc: result ? undefined : ins.elseTarget };
};
