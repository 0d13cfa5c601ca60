// The wait_for step: done when a matching event of the contact came after the cursor, else sleeps.
import { lockContacts } from '../../contacts/store/contact-rows.ts';
import type { DB } from '../../db/open-database.ts';
import type { StepInstruction } from '../definition/types.ts';
import { matchesEventPattern } from '../event-pattern.ts';
import { evaluateCondition } from '../expressions/cel-environment.ts';
import { eventView } from '../run-scope.ts';
import type { StepOutcome } from '../step-outcome.ts';
import { type StepHandler, type StepInput, stepOutput } from './step-input.ts';

type WaitFor = StepInstruction & { op: 'wait_for' };

export const waitFor: StepHandler<'wait_for'> = async (ins, input) => {
  const { ctx, run, now } = input;
  const received = await firstMatch(ctx.db, ins, input);
  if (received) return received;
  const timeoutAt = (stepOutput(input.step).timeoutAt as number | undefined) ?? now + ins.timeoutMs;
  if (timeoutAt <= now) return { kind: 'done', output: { received: false, event: null } };
  return {
    kind: 'sleep',
    until: timeoutAt,
    output: { timeoutAt },
    waitingFor: ins.event,
    // The dispatcher takes the same lock before it looks for waiting runs: either it sees this run
    // asleep, or this sees the event it dispatched.
    recheck: async (tx) => {
      if (run.contact_id !== null) await lockContacts(tx.db, [run.contact_id]);
      return firstMatch(tx.db, ins, input);
    },
  };
};

/** Events read per query; a contact's log is read page by page until a match or its end. */
const PAGE = 1000;

/** The first of the contact's events after the cursor that the step waits for, as its outcome. */
async function firstMatch(
  db: DB,
  ins: WaitFor,
  { run, state, scope }: StepInput,
): Promise<StepOutcome | undefined> {
  // Past a page of other events (a busy contact's page views) the awaited one may still come.
  for (let after = state.eventCursor; ; ) {
    const candidates = await db
      .selectFrom('events')
      .selectAll()
      .where('contact_id', '=', run.contact_id)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const candidate of candidates) {
      if (!matchesEventPattern(ins.event, candidate.type)) continue;
      const event = eventView(candidate);
      if (ins.match && !evaluateCondition(ins.match, { ...scope, ...event.params, event }))
        continue;
      return { kind: 'done', output: { received: true, event }, eventCursor: candidate.id };
    }
    const last = candidates.at(-1);
    if (candidates.length < PAGE || !last) return undefined;
    after = last.id;
  }
}
