// /api/v1/groups and eSputnik's /api/v1/group/:id/contacts/attach|detach: groups as resources.
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { requireScope } from '../../auth/require-api-key.ts';
import type { DB } from '../../db/open-database.ts';
import {
  type ApiApp,
  errorResponse,
  errorResponses,
  idPathParams,
  security,
} from '../../http/api-app.ts';
import { isJsonType, parseMediaType } from '../../http/media-type.ts';
import { pageQuery } from '../../http/pagination.ts';
import { lineSchema } from '../../subscribe/input-fields.ts';
import { attachToGroup, detachFromGroup, type MemberSelector } from '../labels/group-members.ts';
import { GroupNameSchema, GroupResource } from '../labels/group-resource.ts';
import {
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  renameGroup,
} from '../labels/group-resources.ts';
import { jsonAnswer, jsonBody, lacking } from './openapi-parts.ts';

const MAX_MEMBERS = 500;

const GroupNameRequest = z.object({ name: GroupNameSchema }).strict().openapi('GroupNameRequest');

const MembersRequest = z
  .object({
    contactIds: z.array(z.number().int().positive()).min(1).max(MAX_MEMBERS).optional(),
    externalCustomerIds: z
      .array(lineSchema(200).pipe(z.string().min(1)))
      .min(1)
      .max(MAX_MEMBERS)
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.contactIds && v.externalCustomerIds)
      ctx.addIssue({
        code: 'custom',
        path: ['externalCustomerIds'],
        message: 'send contactIds or externalCustomerIds, not both',
      });
  })
  .openapi('GroupMembersRequest', {
    description: `Up to ${MAX_MEMBERS} contacts, by Subflow id or by external id (one kind per call)`,
    example: { contactIds: [42, 43] },
  });

const given = z.array(z.union([z.number(), z.string()]));
const AttachResult = z
  .object({
    attached: z.number().int().openapi({ description: 'Contacts that joined with this call' }),
    alreadyMembers: z.number().int(),
    notFound: given.openapi({ description: 'Identifiers, as sent, that match no contact' }),
    deleted: given.openapi({ description: 'Identifiers of deleted contacts; not attached' }),
  })
  .openapi('GroupAttachResult');
const DetachResult = z
  .object({
    detached: z.number().int().openapi({ description: 'Contacts that left with this call' }),
    notFound: given.openapi({ description: 'Identifiers, as sent, that match no contact' }),
  })
  .openapi('GroupDetachResult');

const notFound = { 404: errorResponse('No such group') };
const taken = { 409: errorResponse('Another group has this name') };

function selectorOf(body: z.infer<typeof MembersRequest>): MemberSelector | undefined {
  if (body.contactIds) return { contactIds: body.contactIds };
  if (body.externalCustomerIds) return { externalIds: body.externalCustomerIds };
  return undefined;
}

/**
 * A detach with no ids may come with an empty body that still says it is JSON, which the JSON
 * validator would refuse as malformed; it reads the body through Hono's cache, so `{}` goes there.
 */
function emptyBodyIsEmptyObject(): MiddlewareHandler {
  return async function emptyBodyIsEmptyObject(c, next) {
    const declared = isJsonType(parseMediaType(c.req.header('content-type')));
    if (declared && (await c.req.text()).trim() === '')
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
    await next();
  };
}

export function registerGroupRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/groups',
      tags: ['groups'],
      summary: 'List groups with their member counts, oldest first',
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: { query: z.object(pageQuery) },
      responses: {
        200: jsonAnswer(
          'A page of groups',
          z.object({ items: z.array(GroupResource), nextCursor: z.string().nullable() }),
        ),
        ...errorResponses,
        ...lacking('contacts:read'),
      },
    }),
    async (c) => {
      const { cursor, limit } = c.req.valid('query');
      return c.json(await listGroups(db, { after: cursor, limit }), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/groups',
      tags: ['groups'],
      summary: 'Create a group',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: { body: jsonBody(GroupNameRequest) },
      responses: {
        201: jsonAnswer('The new group', GroupResource),
        ...taken,
        ...errorResponses,
        ...lacking('contacts:write'),
      },
    }),
    async (c) => c.json(await createGroup(db, c.req.valid('json').name, Date.now()), 201),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/groups/{id}',
      tags: ['groups'],
      summary: 'One group with its member count',
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: { params: idPathParams },
      responses: {
        200: jsonAnswer('The group', GroupResource),
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:read'),
      },
    }),
    async (c) => c.json(await getGroup(db, c.req.valid('param').id), 200),
  );

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/groups/{id}',
      tags: ['groups'],
      summary: 'Rename a group',
      description:
        "Members' `groups` change (they appear in the change feed), and forms that list the old " +
        'name list the new one. Workflow files are not rewritten: a step naming the old name ' +
        'creates a new group of that name.',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: { params: idPathParams, body: jsonBody(GroupNameRequest) },
      responses: {
        200: jsonAnswer('The renamed group', GroupResource),
        ...notFound,
        ...taken,
        ...errorResponses,
        ...lacking('contacts:write'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { name } = c.req.valid('json');
      const group = await db.transaction().execute((trx) => renameGroup(trx, id, name, Date.now()));
      return c.json(group, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/groups/{id}',
      tags: ['groups'],
      summary: 'Delete a group',
      description:
        'Its memberships (also pending ones) go; former members appear in the change feed. ' +
        'Forms that list the name keep working: their next subscribe creates a new, empty group ' +
        'of that name.',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: { params: idPathParams },
      responses: {
        204: { description: 'Deleted' },
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:write'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await db.transaction().execute((trx) => deleteGroup(trx, id, Date.now()));
      return c.body(null, 204);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/group/{id}/contacts/attach',
      tags: ['groups'],
      summary: 'Attach contacts to a group (eSputnik path)',
      description:
        `\`contactIds\` or \`externalCustomerIds\`, 1–${MAX_MEMBERS}. Unknown identifiers are ` +
        'reported in `notFound`, deleted contacts in `deleted`; neither fails the call.',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: {
        params: idPathParams,
        body: jsonBody(
          MembersRequest.refine((v) => selectorOf(v) !== undefined, {
            message: 'send contactIds or externalCustomerIds',
            path: ['contactIds'],
          }),
        ),
      },
      responses: {
        200: jsonAnswer('What changed', AttachResult),
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:write'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const selector = selectorOf(c.req.valid('json')) as MemberSelector;
      const result = await db
        .transaction()
        .execute((trx) => attachToGroup(trx, id, selector, Date.now()));
      return c.json(result, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/group/{id}/contacts/detach',
      tags: ['groups'],
      summary: 'Detach contacts from a group, or empty it (eSputnik path)',
      description:
        `\`contactIds\` or \`externalCustomerIds\`, 1–${MAX_MEMBERS}. With no body, or a body ` +
        'with neither key, every member is detached (an empty list is refused, so a list that ' +
        'came out empty never empties a group). Pending memberships are left as they are.',
      security,
      middleware: [requireScope('contacts:write'), emptyBodyIsEmptyObject()] as const,
      request: { params: idPathParams, body: jsonBody(MembersRequest, false) },
      responses: {
        200: jsonAnswer('What changed', DetachResult),
        ...notFound,
        ...errorResponses,
        ...lacking('contacts:write'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const selector = selectorOf(c.req.valid('json')) ?? 'all';
      const result = await db
        .transaction()
        .execute((trx) => detachFromGroup(trx, id, selector, Date.now()));
      return c.json(result, 200);
    },
  );
}
