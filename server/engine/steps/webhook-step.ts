// The webhook step: renders the call and makes one attempt; the runtime classifies and retries failures.
import { interpolate } from '../expressions/templates.ts';
import { renderDeep } from './render-deep.ts';
import type { StepHandler } from './step-input.ts';

export const webhook: StepHandler<'webhook'> = async (ins, { ctx, run, step, scope }) => {
  const headers = Object.fromEntries(
    Object.entries(ins.headers).map(([k, v]) => [k, interpolate(v, scope)]),
  );
  // A WebhookError thrown here becomes a typed step error in step-errors.ts.
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
};
