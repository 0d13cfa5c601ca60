// The emit step: appends an event for the run's contact, which may start or wake other runs.
import { appendEvent, contactEventParams } from '../../events/append-event.ts';
import { interpolate } from '../expressions/templates.ts';
import { renderDeep } from './render-deep.ts';
import type { StepHandler } from './step-input.ts';

export const emit: StepHandler<'emit'> = (ins, { run, scope, contact, now }) => {
  const contactId = run.contact_id as number;
  const type = interpolate(ins.event, scope);
  const params = {
    ...(contact ? contactEventParams(contact) : { ContactId: contactId }),
    ...(renderDeep(ins.params, scope) as object),
  };
  return {
    kind: 'done',
    output: { event: type },
    effects: (tx) => appendEvent(tx, { type, contactId, params, now }).then(() => undefined),
  };
};
