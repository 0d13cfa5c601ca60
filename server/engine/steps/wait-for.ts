// The wait_for step: done when a matching event of the contact came after the cursor, else sleeps.
import { matchesEventPattern } from '../event-pattern.ts';
import { evaluateCondition } from '../expressions/cel-environment.ts';
import { eventView } from '../run-scope.ts';
import { type StepHandler, stepOutput } from './step-input.ts';

export const waitFor: StepHandler<'wait_for'> = async (ins, input) => {
  const { ctx, run, state, scope, now } = input;
  const candidates = await ctx.db
    .selectFrom('events')
    .selectAll()
    .where('contact_id', '=', run.contact_id)
    .where('id', '>', state.eventCursor)
    .orderBy('id')
    .limit(1000)
    .execute();
  for (const candidate of candidates) {
    if (!matchesEventPattern(ins.event, candidate.type)) continue;
    const event = eventView(candidate);
    if (ins.match && !evaluateCondition(ins.match, { ...scope, ...event.params, event })) continue;
    return { kind: 'done', output: { received: true, event }, eventCursor: candidate.id };
  }
  const timeoutAt = (stepOutput(input.step).timeoutAt as number | undefined) ?? now + ins.timeoutMs;
  if (timeoutAt <= now) return { kind: 'done', output: { received: false, event: null } };
  return { kind: 'sleep', until: timeoutAt, output: { timeoutAt }, waitingFor: ins.event };
};
