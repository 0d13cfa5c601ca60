// What expressions in a run see: the contact as it is now, the trigger event, its params, step outputs.
import type { EventRow } from '../db/schema.ts';
import type { Scope } from './expressions/cel-environment.ts';

export interface RunState {
  /** Outputs of completed steps, by step id. */
  steps: Record<string, unknown>;
  /** wait_for only looks at events after this id: the trigger, then the last event it consumed. */
  eventCursor: number;
}

export function eventView(event: EventRow) {
  return {
    id: event.id,
    type: event.type,
    params: JSON.parse(event.params) as Record<string, unknown>,
    createdAt: new Date(event.created_at).toISOString(),
  };
}

export function buildScope(
  contact: Record<string, unknown>,
  event: ReturnType<typeof eventView>,
  steps: Record<string, unknown>,
): Scope {
  return { ...event.params, contact, event, steps };
}
