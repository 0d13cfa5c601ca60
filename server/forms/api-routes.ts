// /api/v1/forms: create, list, read, change and delete forms; /form-previews: a draft as the widget gets it.
import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../app-deps.ts';
import { requireScope } from '../auth/require-api-key.ts';
import { ValidationError } from '../errors.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../http/api-app.ts';
import { type FormPatch, formConfigSchema, formIdSchema, formPatchSchema } from './form-schema.ts';
import { createForm, deleteForm, getForm, listForms, updateForm } from './forms-store.ts';
import { publicDefinition } from './public-definition.ts';

const time = z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' });
const FormResource = formConfigSchema
  .extend({ id: formIdSchema, createdAt: time, updatedAt: time })
  .openapi('Form');
const idParam = z.object({ id: formIdSchema });
const PublicFormDefinition = z
  .looseObject({
    id: z.string(),
    fields: formConfigSchema.shape.fields,
    requireConsent: z.boolean(),
    originAllowed: z.boolean(),
    lang: z.string(),
    dir: z.enum(['ltr', 'rtl']),
    strings: z.record(z.string(), z.string()),
  })
  .openapi('PublicFormDefinition');
const json = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});
const ok = (description: string) => ({
  description,
  content: { 'application/json': { schema: FormResource } },
});

/**
 * A Turnstile site key without the server's secret would refuse every post to the form: say so
 * when it is set, not when the first visitor is turned away.
 */
function checkTurnstileConfigured(botDefence: FormPatch['botDefence'], secret: string | undefined) {
  if (botDefence?.turnstileSiteKey && !secret) {
    throw new ValidationError([
      {
        field: 'botDefence.turnstileSiteKey',
        message:
          'set TURNSTILE_SECRET_KEY on the server first: without it no token can be verified',
      },
    ]);
  }
}

export function registerFormRoutes(
  api: ApiApp,
  { db, config }: Pick<AppDeps, 'db' | 'config'>,
): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/forms',
      tags: ['forms'],
      security,
      middleware: [requireScope('forms:read')] as const,
      responses: {
        200: {
          description: 'All forms',
          content: {
            'application/json': {
              schema: z.object({ items: z.array(FormResource), nextCursor: z.null() }),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: await listForms(db), nextCursor: null }, 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/forms',
      tags: ['forms'],
      security,
      middleware: [requireScope('forms:write')] as const,
      request: { body: json(formConfigSchema.extend({ id: formIdSchema })) },
      responses: {
        201: ok('Created'),
        409: errorResponse('A form with this id exists'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, ...form } = c.req.valid('json');
      checkTurnstileConfigured(form.botDefence, config.TURNSTILE_SECRET_KEY);
      return c.json(await createForm(db, id, form), 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/form-previews',
      tags: ['forms'],
      summary: 'The definition the widget would get for a form as given, without saving it',
      description:
        'Answers what `GET /v1/forms/{id}?lang=` would answer for this form (its fields, ' +
        'texts in `lang`, consent and bot defence), so an editor can render the real widget with ' +
        'unsaved changes. Nothing is stored.',
      security,
      middleware: [requireScope('forms:read')] as const,
      request: {
        body: json(
          z.object({
            form: formConfigSchema.extend({ id: formIdSchema }),
            lang: z.string().min(1).max(35).optional(),
          }),
        ),
      },
      responses: {
        200: {
          description: 'The public form definition',
          content: { 'application/json': { schema: PublicFormDefinition } },
        },
        ...errorResponses,
      },
    }),
    (c) => {
      const { form, lang } = c.req.valid('json');
      return c.json(
        publicDefinition(form, { lang, acceptLanguage: undefined, originAllowed: true }),
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/forms/{id}',
      tags: ['forms'],
      security,
      middleware: [requireScope('forms:read')] as const,
      request: { params: idParam },
      responses: { 200: ok('The form'), 404: errorResponse('No such form'), ...errorResponses },
    }),
    async (c) => c.json(await getForm(db, c.req.valid('param').id), 200),
  );

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/forms/{id}',
      tags: ['forms'],
      security,
      middleware: [requireScope('forms:write')] as const,
      request: { params: idParam, body: json(formPatchSchema) },
      responses: {
        200: ok('The changed form'),
        404: errorResponse('No such form'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      checkTurnstileConfigured(patch.botDefence, config.TURNSTILE_SECRET_KEY);
      return c.json(await updateForm(db, c.req.valid('param').id, patch), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/forms/{id}',
      tags: ['forms'],
      security,
      middleware: [requireScope('forms:write')] as const,
      request: { params: idParam },
      responses: {
        204: { description: 'Deleted' },
        404: errorResponse('No such form'),
        ...errorResponses,
      },
    }),
    async (c) => {
      await deleteForm(db, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}
