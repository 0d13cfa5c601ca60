// /api/v1/fields: custom field definitions (typed, checked on every write, indexed for filters).
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/require-api-key.ts';
import type { DB } from '../../db/open-database.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../../http/api-app.ts';
import {
  changeField,
  defineField,
  deleteField,
  getFieldDefinition,
  listFieldDefinitions,
} from '../fields/field-definitions.ts';
import {
  ChangeFieldRequest,
  DefineFieldRequest,
  FieldDefinitionResource,
  FieldKeySchema,
} from '../fields/field-resource.ts';
import { jsonAnswer, jsonBody, lacking } from './openapi-parts.ts';

const keyParam = z.object({
  key: FieldKeySchema.openapi({ param: { name: 'key', in: 'path' } }),
});
const notFound = { 404: errorResponse('No field is defined with this key') };
const misfit =
  'Invalid input (`error.issues` names each field), or values already stored would not fit ' +
  '(`type` or `options` is named, with the contacts holding them)';

export function registerFieldRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/fields',
      tags: ['fields'],
      summary: 'List custom field definitions, by key',
      security,
      middleware: [requireScope('contacts:read')] as const,
      responses: {
        200: jsonAnswer(
          'Every definition (one page)',
          z.object({ items: z.array(FieldDefinitionResource), nextCursor: z.null() }),
        ),
        ...errorResponses,
        ...lacking('contacts:read'),
      },
    }),
    async (c) => c.json({ items: await listFieldDefinitions(db), nextCursor: null }, 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/fields',
      tags: ['fields'],
      summary: 'Define a custom field',
      description:
        'From then on every write of `fields.<key>` (API, forms, workflows) must fit the type, or ' +
        'is a 422 naming `fields.<key>`; filters on it (`field.<key>=`) use an index built now. ' +
        'Refused while contacts hold values of the key that would not fit.',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: { body: jsonBody(DefineFieldRequest) },
      responses: {
        201: jsonAnswer('The new definition', FieldDefinitionResource),
        409: errorResponse('A field with this key is defined'),
        ...errorResponses,
        ...lacking('contacts:write'),
        422: errorResponse(misfit),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const created = await db.transaction().execute((trx) => defineField(trx, input, Date.now()));
      return c.json(created, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/fields/{key}',
      tags: ['fields'],
      summary: 'One custom field definition',
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: { params: keyParam },
      responses: {
        200: jsonAnswer('The definition', FieldDefinitionResource),
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:read'),
      },
    }),
    async (c) => c.json(await getFieldDefinition(db, c.req.valid('param').key), 200),
  );

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/fields/{key}',
      tags: ['fields'],
      summary: "Change a field's label, options or type",
      description:
        'A new type, or options that leave out a value in use, is refused (422) while contacts ' +
        'hold values that would not fit; stored values are never converted.',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: { params: keyParam, body: jsonBody(ChangeFieldRequest) },
      responses: {
        200: jsonAnswer('The changed definition', FieldDefinitionResource),
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:write'),
        422: errorResponse(misfit),
      },
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const change = c.req.valid('json');
      const changed = await db
        .transaction()
        .execute((trx) => changeField(trx, key, change, Date.now()));
      return c.json(changed, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/fields/{key}',
      tags: ['fields'],
      summary: 'Delete a field definition',
      description:
        'Only the type check and the index go: the values stay in contacts, kept as given.',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: { params: keyParam },
      responses: {
        204: { description: 'Deleted' },
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:write'),
      },
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      await db.transaction().execute((trx) => deleteField(trx, key));
      return c.body(null, 204);
    },
  );
}
