// Zod schema of a workflow file: what may be written, with messages that say how to fix it.
import { z } from 'zod';
import { checkExpression } from '../expressions/cel-environment.ts';
import { checkTemplate } from '../expressions/templates.ts';
import { DURATION_FORMAT, parseDuration } from './duration.ts';

/**
 * Issue params that ask the compiler to point at the key instead of its value (an unknown step
 * action is wrong as a word, whatever follows it).
 */
export const AT_KEY = { at: 'key' } as const;

type Ctx = z.core.$RefinementCtx;
type Issue = z.core.$ZodIssue;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Names a YAML value in a message: `"2 days"`, `30`, `a list`. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return isMap(value) ? 'a map' : JSON.stringify(value);
}

/** A strict map whose unknown-key issues carry the allowed keys (the compiler adds the key). */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const expected = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `expected one of: ${expected}`;
      if (iss.code === 'invalid_type')
        return `expected a map with keys ${expected}, got ${show(iss.input)}`;
      return undefined;
    },
  });
}

const string = (what: string) =>
  z.string({ error: (iss) => `expected ${what}, got ${show(iss.input)}` });

const expression = string('an expression (a string)').superRefine((source, ctx) => {
  try {
    checkExpression(source);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid expression: ${(err as Error).message}`,
      input: source,
    });
  }
});

const templateChecked = (allowRaw: boolean) =>
  string('a string').superRefine((source, ctx) => {
    try {
      checkTemplate(source, { allowRaw });
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `invalid template: ${(err as Error).message}`,
        input: source,
      });
    }
  });

const template = templateChecked(false);
/** An HTML part: `${…}` values are escaped, `$!{…}` values go in unescaped. */
const htmlTemplate = templateChecked(true);

/** Any JSON value; every string inside is a template (webhook body, emit params). */
const jsonWithTemplates = z.unknown().superRefine((value, ctx) => {
  const visit = (v: unknown, path: (string | number)[]) => {
    if (typeof v === 'string') {
      const result = template.safeParse(v, { reportInput: true });
      if (!result.success) forward(ctx, result.error.issues, path);
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) visit(item, [...path, i]);
    } else if (isMap(v)) for (const [k, item] of Object.entries(v)) visit(item, [...path, k]);
  };
  visit(value, []);
});

function duration({ max }: { max?: number } = {}) {
  return z.unknown().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${DURATION_FORMAT}, got ${show(value)}`,
        input: value,
      });
      return z.NEVER;
    }
    if (max !== undefined && ms > max) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${max / 1000}s, got ${show(value)}`,
        input: value,
      });
      return z.NEVER;
    }
    return ms;
  });
}

const eventName = string('an event name').min(1, 'an event name cannot be empty');

/** `on: x` or `on: [x, y*]`; a lone string is read as a list of one. */
const eventList = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z
    .array(eventName, {
      error: (iss) => `expected an event name or a list of them, got ${show(iss.input)}`,
    })
    .min(1, 'expected at least one event'),
);

const names = z
  .array(template, {
    error: (iss) => `expected a list of names like [Pro], got ${show(iss.input)}`,
  })
  .min(1, 'expected at least one name');

/** `send_confirmation: {}` / `stop: true`: actions without options. */
const noOptions = (action: string) =>
  z.unknown().refine((v) => v === true || (isMap(v) && Object.keys(v).length === 0), {
    message: `${action} takes no options: write "${action}: {}" or "${action}: true"`,
  });

export const retrySchema = strict({
  attempts: z
    .int({ error: (iss) => `expected a whole number of attempts, got ${show(iss.input)}` })
    .min(1, 'at least 1 attempt')
    .max(100, 'at most 100 attempts')
    .optional(),
  backoff: duration().optional(),
  max_backoff: duration().optional(),
});

const fieldValue = z.union([template, z.number(), z.boolean(), z.null()], {
  error: (iss) => `expected a string, number, true/false or null, got ${show(iss.input)}`,
});

const actions = {
  send_email: strict({
    subject: template,
    text: template.optional(),
    html: htmlTemplate.optional(),
    to: template.optional(),
  }).refine((v) => v.text !== undefined || v.html !== undefined, 'send_email needs text or html'),
  send_confirmation: noOptions('send_confirmation'),
  wait: duration(),
  wait_until: expression,
  wait_for: strict({ event: eventName, match: expression.optional(), timeout: duration() }),
  update_contact: strict({
    firstName: template.nullable().optional(),
    lastName: template.nullable().optional(),
    email: template.nullable().optional(),
    phone: template.nullable().optional(),
    externalId: template.nullable().optional(),
    fields: z.record(string('a field name').min(1), fieldValue).optional(),
  }).refine((v) => Object.keys(v).length > 0, 'update_contact needs at least one field to set'),
  add_to_groups: names,
  remove_from_groups: names,
  add_tags: names,
  remove_tags: names,
  webhook: strict({
    url: template.refine((u) => /^(https?:\/\/|\$\{)/i.test(u), 'expected an http(s):// URL'),
    method: z
      .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], {
        error: (iss) => `expected GET, POST, PUT, PATCH or DELETE, got ${show(iss.input)}`,
      })
      .optional(),
    headers: z
      .record(string('a header name').regex(/^[\w!#$%&'*+.^`|~-]+$/, 'not a header name'), template)
      .optional(),
    body: jsonWithTemplates.optional(),
    timeout: duration({ max: 60_000 }).optional(),
    secret: string('a string').min(1).optional(),
  }),
  emit: z.preprocess(
    (v) => (typeof v === 'string' ? { event: v } : v),
    strict({
      event: template.min(1, 'an event name cannot be empty'),
      params: z.record(z.string(), jsonWithTemplates).optional(),
    }),
  ),
  stop: noOptions('stop'),
};

type Actions = typeof actions;
export type ActionName = keyof Actions;
export type RetrySpec = z.output<typeof retrySchema>;
export type ActionStep = {
  [K in ActionName]: { action: K; args: z.output<Actions[K]>; id?: string; retry?: RetrySpec };
}[ActionName];
export interface IfStep {
  action: 'if';
  id?: string;
  condition: string;
  // Not `then`: an object with a `then` property looks like a promise to `await`.
  thenSteps: ParsedStep[];
  elseSteps?: ParsedStep[];
}
export type ParsedStep = ActionStep | IfStep;

const ACTION_LIST = `${Object.keys(actions).join(', ')}, if`;
const isAction = (key: string): key is ActionName => Object.hasOwn(actions, key);

const stepId = string('a step id').regex(
  /^[A-Za-z_][\w-]*$/,
  'a step id is letters, digits, _ and -, starting with a letter or _',
);

/** Re-raises a nested parse's issues under `prefix`, so they keep pointing at the right node. */
function forward(ctx: Ctx, issues: Issue[], prefix: (string | number)[]) {
  for (const issue of issues) {
    ctx.addIssue({ ...issue, path: [...prefix, ...issue.path] } as Parameters<Ctx['addIssue']>[0]);
  }
}

function sub<S extends z.ZodType>(ctx: Ctx, schema: S, value: unknown, key: string) {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) forward(ctx, result.error.issues, [key]);
  return result;
}

const atKey = (ctx: Ctx, key: string, message: string, input: unknown) =>
  ctx.addIssue({ code: 'custom', message, path: [key], params: AT_KEY, input });

/** A step is a map with exactly one action key, plus optional `id` and `retry`. */
function parseStep(input: unknown, ctx: Ctx): ParsedStep {
  if (!isMap(input)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a step (a map with one of: ${ACTION_LIST}), got ${show(input)}`,
      input,
    });
    return z.NEVER;
  }
  if ('if' in input || 'then' in input || 'else' in input) return parseIf(input, ctx);
  const known: ActionName[] = [];
  for (const key of Object.keys(input)) {
    if (key === 'id' || key === 'retry') continue;
    if (isAction(key)) known.push(key);
    else atKey(ctx, key, `unknown step action "${key}"; expected one of: ${ACTION_LIST}`, input);
  }
  if (known.length === 0 && Object.keys(input).every((k) => k === 'id' || k === 'retry')) {
    ctx.addIssue({
      code: 'custom',
      message: `a step needs an action, one of: ${ACTION_LIST}`,
      input,
    });
  }
  const [action, second] = known;
  if (second)
    atKey(
      ctx,
      second,
      `a step has one action and this one already has "${action}"; split it into two steps`,
      input,
    );
  const id = sub(ctx, stepId.optional(), input.id, 'id');
  const retry = sub(ctx, retrySchema.optional(), input.retry, 'retry');
  if (!action) return z.NEVER;
  const args = sub(ctx, actions[action], input[action], action);
  if (!args.success || !id.success || !retry.success) return z.NEVER;
  return { action, args: args.data, id: id.data, retry: retry.data } as ActionStep;
}

const IF_KEYS = ['if', 'then', 'else', 'id'];

function parseIf(input: Record<string, unknown>, ctx: Ctx): ParsedStep {
  if (!('if' in input)) {
    const key = 'then' in input ? 'then' : 'else';
    atKey(ctx, key, `"${key}" needs an "if: <condition>" in the same step`, input);
    return z.NEVER;
  }
  for (const key of Object.keys(input)) {
    if (!IF_KEYS.includes(key))
      atKey(
        ctx,
        key,
        `unknown key "${key}" in an if step; expected one of: ${IF_KEYS.join(', ')}`,
        input,
      );
  }
  const condition = sub(ctx, expression, input.if, 'if');
  const then = sub(ctx, stepsSchema, input.then, 'then');
  const otherwise = sub(ctx, stepsSchema.optional(), input.else, 'else');
  const id = sub(ctx, stepId.optional(), input.id, 'id');
  if (!condition.success || !then.success || !otherwise.success || !id.success) return z.NEVER;
  if (Object.keys(input).some((k) => !IF_KEYS.includes(k))) return z.NEVER;
  return {
    action: 'if',
    id: id.data,
    condition: condition.data,
    thenSteps: then.data,
    elseSteps: otherwise.data,
  };
}

export const stepsSchema: z.ZodType<ParsedStep[]> = z
  .array(z.unknown().transform(parseStep), {
    error: (iss) => `expected a list of steps, got ${show(iss.input)}`,
  })
  .min(1, 'expected at least one step');

export const workflowSchema = strict({
  name: string('a name').regex(
    /^[a-z0-9][a-z0-9_-]*$/i,
    'a name is letters, digits, _ and -, starting with a letter or digit',
  ),
  on: eventList,
  if: expression.optional(),
  reentry: z
    .enum(['once', 'always'], { error: (iss) => `expected once or always, got ${show(iss.input)}` })
    .default('once'),
  cancel_on: eventList.optional(),
  retry: retrySchema.optional(),
  /** `false`: this workflow's mail has no open pixel and its links are not rewritten. */
  tracking: z
    .boolean({ error: (iss) => `expected true or false, got ${show(iss.input)}` })
    .optional(),
  steps: stepsSchema,
});

export type WorkflowSpec = z.output<typeof workflowSchema>;
