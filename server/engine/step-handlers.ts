// One function per step kind: read what it needs, decide the outcome, defer writes to `effects`.

import { queueConfirmation } from '../confirm/queue-confirmation.ts';
import { unsubscribeUrl } from '../confirm/unsubscribe.ts';
import { addContactToGroups, removeContactFromGroups } from '../contacts/groups.ts';
import { addTags, removeTags } from '../contacts/tags.ts';
import type { ContactRow, RunRow } from '../db/schema.ts';
import { appendEvent, contactEventParams } from '../events/append-event.ts';
import { findForm } from '../forms/forms-store.ts';
import { enqueueMail } from '../mail/outbox/enqueue-mail.ts';
import { emailSchema } from '../subscribe/input-fields.ts';
import type { StepInstruction } from './definition/types.ts';
import type { EngineContext } from './engine-context.ts';
import { matchesEventPattern } from './event-pattern.ts';
import { compileExpression, evaluateCondition, type Scope } from './expressions/cel-environment.ts';
import { interpolate, renderTemplate } from './expressions/templates.ts';
import { renderWorkflowMail } from './mail-body.ts';
import { eventView, type RunState } from './run-scope.ts';
import type { StepOutcome } from './step-outcome.ts';
import type { StepVisit } from './step-visit.ts';
import { applyContactUpdate } from './update-contact.ts';

export interface StepInput {
  ctx: EngineContext;
  run: RunRow;
  step: StepVisit;
  state: RunState;
  contact: ContactRow | undefined;
  scope: Scope;
  now: number;
}

const NOT_MAILABLE = new Set(['unsubscribed', 'bounced', 'deleted']);
const stepOutput = (step: StepVisit) =>
  (step.output ? JSON.parse(step.output) : {}) as Record<string, unknown>;
const render = (templates: string[], scope: Scope) => templates.map((t) => interpolate(t, scope));

export async function executeStep(ins: StepInstruction, input: StepInput): Promise<StepOutcome> {
  const { ctx, run, scope, contact, now } = input;
  const contactId = run.contact_id as number;
  switch (ins.op) {
    case 'branch': {
      const result = evaluateCondition(ins.condition, scope);
      return { kind: 'done', output: { result }, nextPc: result ? undefined : ins.elseTarget };
    }
    case 'send_email': {
      if (
        !ins.to &&
        (!contact?.email || NOT_MAILABLE.has(contact.status) || contact.deleted_at !== null)
      ) {
        return {
          kind: 'done',
          output: { skipped: contact?.email ? contact.status : 'no email address' },
        };
      }
      const to = emailSchema.safeParse(ins.to ? interpolate(ins.to, scope) : contact?.email);
      if (!to.success)
        return { kind: 'fail', error: `send_email: "to" is not a valid email address` };
      const mail = renderWorkflowMail({
        subject: interpolate(ins.subject, scope),
        text: ins.text === undefined ? undefined : renderTemplate(ins.text, scope),
        html: ins.html === undefined ? undefined : renderTemplate(ins.html, scope),
        unsubscribeUrl: unsubscribeUrl(ctx.publicUrl, ctx.secretKey, contactId),
      });
      const idempotencyKey = `wf:${run.id}:${ins.id}:${input.step.iteration}`;
      return {
        kind: 'done',
        output: { to: to.data, subject: mail.subject },
        effects: async (tx) => {
          await enqueueMail(
            tx,
            { kind: 'workflow', idempotencyKey, contactId, to: to.data, ...mail },
            now,
          );
        },
      };
    }
    case 'send_confirmation': {
      if (!contact) return { kind: 'done', output: { queued: false } };
      const token = await ctx.db
        .selectFrom('confirm_tokens')
        .select('form_type')
        .where('contact_id', '=', contactId)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const formType = token?.form_type ?? null;
      const form = formType ? await findForm(ctx.db, formType) : undefined;
      return {
        kind: 'done',
        output: { queued: false },
        effects: async (tx) => {
          const queued = await queueConfirmation(tx, {
            contact,
            formType,
            form,
            publicUrl: ctx.publicUrl,
            timings: ctx.timings,
            now,
          });
          return { queued };
        },
      };
    }
    case 'wait':
    case 'wait_until': {
      const until = stepOutput(input.step).until as number | undefined;
      if (until === undefined) {
        const at =
          ins.op === 'wait' ? now + ins.durationMs : toEpochMs(compileExpression(ins.at)(scope));
        if (at === undefined)
          return { kind: 'fail', error: 'wait_until: the expression did not give a time' };
        return at <= now
          ? { kind: 'done', output: { until: at } }
          : { kind: 'sleep', until: at, output: { until: at } };
      }
      return until <= now
        ? { kind: 'done', output: { until } }
        : { kind: 'sleep', until, output: { until } };
    }
    case 'wait_for':
      return waitFor(ins, input);
    case 'update_contact':
      return {
        kind: 'done',
        output: { set: Object.keys(ins.set) },
        effects: (tx) => applyContactUpdate(tx.db, contactId, ins.set, scope, now),
      };
    case 'add_to_groups':
    case 'remove_from_groups': {
      const groups = render(ins.groups, scope);
      const change = ins.op === 'add_to_groups' ? addContactToGroups : removeContactFromGroups;
      return {
        kind: 'done',
        output: { groups },
        effects: (tx) => change(tx.db, contactId, groups),
      };
    }
    case 'add_tags':
    case 'remove_tags': {
      const tags = render(ins.tags, scope);
      const change = ins.op === 'add_tags' ? addTags : removeTags;
      return { kind: 'done', output: { tags }, effects: (tx) => change(tx.db, contactId, tags) };
    }
    case 'emit': {
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
    }
    case 'webhook':
      return webhook(ins, input);
    case 'stop':
      return { kind: 'end', output: {} };
  }
}

async function waitFor(
  ins: Extract<StepInstruction, { op: 'wait_for' }>,
  input: StepInput,
): Promise<StepOutcome> {
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
}

async function webhook(
  ins: Extract<StepInstruction, { op: 'webhook' }>,
  input: StepInput,
): Promise<StepOutcome> {
  const { ctx, run, step, scope } = input;
  const headers = Object.fromEntries(
    Object.entries(ins.headers).map(([k, v]) => [k, interpolate(v, scope)]),
  );
  // Failures (a WebhookError) are classified and retried by the runtime, see step-errors.ts.
  const result = await ctx.callWebhook({
    url: interpolate(ins.url, scope),
    method: ins.method,
    headers,
    body: ins.body === undefined ? undefined : renderDeep(ins.body, scope),
    timeoutMs: ins.timeoutMs,
    secret: ins.secret ?? ctx.secretKey,
    idempotencyKey: `wf-${run.id}-${ins.id}-${step.iteration}`,
    allowPrivate: ctx.allowPrivateWebhooks,
  });
  return { kind: 'done', output: { status: result.status, body: result.body } };
}

/** Interpolates every string inside a JSON value. */
function renderDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return interpolate(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope)]));
  }
  return value;
}

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
