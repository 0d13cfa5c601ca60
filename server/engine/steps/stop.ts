// The stop step: the run ends successfully here.
import type { StepHandler } from './step-input.ts';

export const stop: StepHandler<'stop'> = () => ({ kind: 'end', output: {} });
