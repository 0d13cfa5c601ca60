// Maps each step kind (op) to its handler; a new kind fails to compile until it is registered here.
import type { StepInstruction } from '../definition/types.ts';
import type { StepOutcome } from '../step-outcome.ts';
import { branch } from './branch.ts';
import { emit } from './emit.ts';
import { changeGroups, changeTags } from './labels.ts';
import { sendConfirmation } from './send-confirmation.ts';
import { sendEmail } from './send-email.ts';
import type { StepHandler, StepInput } from './step-input.ts';
import { stop } from './stop.ts';
import { updateContact } from './update-contact.ts';
import { wait, waitUntil } from './wait.ts';
import { waitFor } from './wait-for.ts';
import { webhook } from './webhook-step.ts';

type Op = StepInstruction['op'];

const handlers: { [K in Op]: StepHandler<K> } = {
  branch,
  send_email: sendEmail,
  send_confirmation: sendConfirmation,
  wait,
  wait_until: waitUntil,
  wait_for: waitFor,
  update_contact: updateContact,
  add_to_groups: changeGroups,
  remove_from_groups: changeGroups,
  add_tags: changeTags,
  remove_tags: changeTags,
  emit,
  webhook,
  stop,
};

/** Executes one step with the handler of its kind. */
export async function executeStep(ins: StepInstruction, input: StepInput): Promise<StepOutcome> {
  const handler = handlers[ins.op] as StepHandler<Op>;
  return handler(ins as never, input);
}
