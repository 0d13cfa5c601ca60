// /api/v1/contacts/{id}: delete (and erase), restore, and tags added or removed.
import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../../auth/require-api-key.ts';
import type { VerbContext } from '../../db/unit-of-work.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../../http/api-app.ts';
import { ContactResource } from '../contact-resource.ts';
import { changeContactTags } from '../contact-tags.ts';
import { deleteContact, restoreDeletedContact } from '../delete-contact.ts';
import { contactIdParams, DeleteContactQuery, TagsRequest } from './contact-schemas.ts';

const answer = (description: string) => ({
  200: { description, content: { 'application/json': { schema: ContactResource } } },
  ...errorResponses,
  404: errorResponse('No contact with this id'),
});

const eraseNote = `Soft delete: status \`deleted\` and \`deletedAt\`; the contact leaves lists (it is
listed only with \`status=deleted\`) and workflows (its active runs are cancelled and no run starts
for it), and its mail not yet sent is withdrawn. No mail is sent and no event is appended.
\`POST /contacts/{id}/restore\` undoes it.

\`?erase=true\` (GDPR) also removes its personal data, everywhere: email, phone, external id, names,
address and fields; consent IP and user agent; confirmation links; groups, pending groups and tags;
the address, subject and bodies of its mail (and dev mailbox copies); event params (reduced to
\`ContactId\`) and keys; workflow step outputs. Kept: ids, timestamps, statuses, event types, consent
kinds and forms. Erasure cannot be undone (a restore gives back a status, not the data).`;

const deleteRoute = createRoute({
  method: 'delete',
  path: '/contacts/{id}',
  tags: ['contacts'],
  summary: 'Delete a contact (soft), or erase its personal data with ?erase=true',
  description: eraseNote,
  security,
  middleware: [requireScope('contacts:write')] as const,
  request: { params: contactIdParams, query: DeleteContactQuery },
  responses: answer('The contact as it is now (status `deleted`)'),
});

const restoreRoute = createRoute({
  method: 'post',
  path: '/contacts/{id}/restore',
  tags: ['contacts'],
  summary: 'Undo a soft delete: the contact gets back its status from before',
  description:
    'Runs and mail cancelled by the delete stay cancelled. A contact that is not deleted is answered unchanged.',
  security,
  middleware: [requireScope('contacts:write')] as const,
  request: { params: contactIdParams },
  responses: answer('The contact as it is now'),
});

const tagsRoute = (method: 'post' | 'delete') =>
  createRoute({
    method,
    path: '/contacts/{id}/tags',
    tags: ['contacts'],
    summary:
      method === 'post'
        ? 'Add 1–10 tags to a contact (unknown tags are created)'
        : 'Remove 1–10 tags from a contact (tags it does not have are ignored)',
    security,
    middleware: [requireScope('contacts:write')] as const,
    request: {
      params: contactIdParams,
      body: { content: { 'application/json': { schema: TagsRequest } }, required: true },
    },
    responses: {
      ...answer('The contact as it is now'),
    },
  });

export function registerContactActionRoutes(api: ApiApp, ctx: VerbContext): void {
  api.openapi(deleteRoute, async (c) => {
    const erase = c.req.valid('query').erase === 'true';
    return c.json(await deleteContact(ctx, c.req.valid('param').id, { erase }, Date.now()), 200);
  });

  api.openapi(restoreRoute, async (c) =>
    c.json(await restoreDeletedContact(ctx, c.req.valid('param').id, Date.now()), 200),
  );

  api.openapi(tagsRoute('post'), async (c) => {
    const add = c.req.valid('json').tags;
    return c.json(await changeContactTags(ctx, c.req.valid('param').id, { add }, Date.now()), 200);
  });

  api.openapi(tagsRoute('delete'), async (c) => {
    const remove = c.req.valid('json').tags;
    const id = c.req.valid('param').id;
    return c.json(await changeContactTags(ctx, id, { remove }, Date.now()), 200);
  });
}
