// /api/v1/contacts: list, create-or-update, get, patch and replace; each parses, calls a verb, answers.
import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.ts';
import { requireScope } from '../../auth/require-api-key.ts';
import { ValidationError } from '../../errors.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../../http/api-app.ts';
import { zodIssues } from '../../http/error-handler.ts';
import { startBulkImport } from '../../imports/http/bulk-import.ts';
import { BulkContactsRequest, SyncQuery } from '../../imports/http/import-schemas.ts';
import { readContact } from '../contact-input.ts';
import { ContactResource } from '../contact-resource.ts';
import { InwiseContactRequest, Ip1ContactRequest, inCallersTerms } from '../foreign-shapes.ts';
import { getContact } from '../get-contact.ts';
import { listContacts } from '../list-contacts.ts';
import { editContact } from '../patch-contact.ts';
import { replaceContact } from '../replace-contact.ts';
import { saveContact } from '../save-contact.ts';
import { registerContactActionRoutes } from './contact-actions-routes.ts';
import {
  ContactPage,
  contactIdParams,
  isBulkBody,
  ListContactsQuery,
  PatchContactRequest,
  ReplaceContactRequest,
  type SaveContactBody,
  SaveContactResponse,
  SaveOrImportResponse,
  saveContactRequest,
  singleSaveRequest,
} from './contact-schemas.ts';
import { readListFilters } from './list-query.ts';
import { saveContactDescription, saveContactExamples } from './save-contact-docs.ts';

const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const notFound = { 404: errorResponse('No contact with this id') };
/** What PATCH and PUT answer for a contact erased (GDPR): its id stays, nothing can be written to it. */
const erasedConflict = {
  409: errorResponse('The contact was erased (`conflict`): create the contact anew instead'),
};

const identityConflict = {
  422: errorResponse(
    'Invalid input (`error.issues` names each field), or identities of other contacts: an email ' +
      'and a phone of two contacts, or a phone whose contact has another email (`error.contactIds`)',
  ),
};
const phoneOptions = (body: { defaultCountry?: string; trimLeadingZero?: boolean }) => ({
  defaultCountry: body.defaultCountry,
  trimLeadingZero: body.trimLeadingZero,
});

const listRoute = createRoute({
  method: 'get',
  path: '/contacts',
  tags: ['contacts'],
  summary: 'List contacts by filters (AND), newest first, in pages of up to 1000',
  description:
    'Besides the fixed filters: `field.<key>=<value>` (a custom field; the value is read as its ' +
    'defined type) and `meta.<key>=<value>` (phone metadata: isPossible, isValid, type, country, ' +
    'msisdn, isBlocked; only contacts with a phone). Unknown query keys are a 422.',
  security,
  middleware: [requireScope('contacts:read')] as const,
  request: { query: ListContactsQuery },
  responses: { 200: json(ContactPage, 'A page of contacts'), ...errorResponses },
});

const saveRoute = createRoute({
  method: 'post',
  path: '/contacts',
  tags: ['contacts'],
  summary: 'Create or update one contact without double opt-in (no event, no mail)',
  description: saveContactDescription,
  security,
  middleware: [requireScope('contacts:write')] as const,
  request: {
    query: SyncQuery,
    body: {
      content: {
        'application/json': { schema: saveContactRequest, examples: saveContactExamples },
      },
      required: true,
    },
  },
  responses: {
    200: json(
      SaveOrImportResponse,
      'One contact: it existed and was updated (SaveContactResult). A bulk body: the import was ' +
        'queued (BulkImportQueued; 200 as eSputnik answers), or with `sync=true` is done (Import)',
    ),
    201: json(SaveContactResponse, 'A contact was created'),
    ...errorResponses,
    ...identityConflict,
    409: errorResponse('The contact changed concurrently (`conflict`); send the request again'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/contacts/{id}',
  tags: ['contacts'],
  summary: 'One contact (also a deleted one)',
  security,
  middleware: [requireScope('contacts:read')] as const,
  request: { params: contactIdParams },
  responses: { 200: json(ContactResource, 'The contact'), ...errorResponses, ...notFound },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/contacts/{id}',
  tags: ['contacts'],
  summary: 'Change some of a contact: given keys change, `null` clears (also inside `fields`)',
  description:
    'Absent keys stay. Takes the native and the eSputnik shape (`channels`, `fields: [{id, value}]`, ' +
    '`externalCustomerId`). Giving a deleted contact a `status` restores it.',
  security,
  middleware: [requireScope('contacts:write')] as const,
  request: {
    params: contactIdParams,
    body: { content: { 'application/json': { schema: PatchContactRequest } }, required: true },
  },
  responses: {
    200: json(ContactResource, 'The contact as it is now'),
    ...errorResponses,
    ...notFound,
    ...identityConflict,
    ...erasedConflict,
  },
});

const replaceRoute = (path: string, summary: string) =>
  createRoute({
    method: 'put',
    path,
    tags: ['contacts'],
    summary,
    description:
      'Every value absent from the body is cleared and `fields` becomes the object given; ' +
      '`status`, `groups` and `tags` change only when given. Never creates a contact.',
    security,
    middleware: [requireScope('contacts:write')] as const,
    request: {
      params: contactIdParams,
      body: { content: { 'application/json': { schema: ReplaceContactRequest } }, required: true },
    },
    responses: {
      200: json(ContactResource, 'The contact as it is now'),
      ...errorResponses,
      ...notFound,
      ...identityConflict,
      ...erasedConflict,
    },
  });

/**
 * A body POST /contacts refused, its fields named as sent (the body is parsed and cached by now):
 * read again as what it is (bulk or one contact), so the errors are that shape's, not the union's.
 */
async function refuseInCallersTerms(c: Context): Promise<never> {
  const raw: unknown = await c.req.json();
  const result = isBulkBody(raw)
    ? BulkContactsRequest.safeParse(raw)
    : singleSaveRequest.safeParse(raw);
  const issues = result.success ? [] : zodIssues(result.error);
  throw inCallersTerms(new ValidationError(issues), raw);
}

/** A create-or-update body (native, or inwise/ip1 read into it) as the verb's input. */
function saveInput(body: z.infer<typeof SaveContactBody>, source: string) {
  return {
    contact: readContact(body, phoneOptions(body)),
    status: body.status,
    groups: body.groups,
    groupIds: body.groupIds,
    removeFromGroups: body.removeFromGroups,
    removeFromGroupIds: body.removeFromGroupIds,
    removeFromAllOtherGroups: body.removeFromAllOtherGroups,
    clearExistingFields: body.clearExistingFields,
    tags: body.tags,
    source,
  };
}

export function registerContactRoutes(api: ApiApp, deps: AppDeps): void {
  const { db } = deps;
  const ctx = { db, wakeups: deps.wakeups };
  // Referenced from POST /contacts' description: bodies read into SaveContactRequest first.
  api.openAPIRegistry.register('InwiseContactRequest', InwiseContactRequest);
  api.openAPIRegistry.register('Ip1ContactRequest', Ip1ContactRequest);

  api.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    const filters = readListFilters(c.req.query(), query);
    return c.json(
      await listContacts(db, filters, { before: query.cursor, limit: query.limit }),
      200,
    );
  });

  api.openapi(
    saveRoute,
    async (c) => {
      const body = c.req.valid('json');
      if ('contacts' in body) {
        const sync = c.req.valid('query').sync === 'true';
        const principal = c.get('principal').name;
        return c.json(await startBulkImport(deps, body, { sync, principal }), 200);
      }
      // The body as sent: an inwise or ip1 caller hears about its own keys in errors.
      const raw: unknown = await c.req.json();
      const source = `api:${c.get('principal').name}`;
      const saved = await Promise.resolve()
        .then(() => saveContact(ctx, saveInput(body, source), Date.now()))
        .catch((err: unknown) => {
          throw inCallersTerms(err, raw);
        });
      const action = saved.created ? 'created' : 'updated';
      return c.json({ action, contact: saved.contact }, saved.created ? 201 : 200);
    },
    (result, c) => {
      if (result.success) return undefined;
      if (result.target !== 'json') throw new ValidationError(zodIssues(result.error));
      return refuseInCallersTerms(c);
    },
  );

  api.openapi(getRoute, async (c) => c.json(await getContact(db, c.req.valid('param').id), 200));

  api.openapi(patchRoute, async (c) => {
    const body = c.req.valid('json');
    const patch = { ...readContact(body, phoneOptions(body)), status: body.status };
    return c.json(await editContact(ctx, c.req.valid('param').id, patch, Date.now()), 200);
  });

  const replace = replaceRoute('/contacts/{id}', 'Replace the whole data of a contact');
  const esputnikReplace = replaceRoute('/contact/{id}', 'Replace a contact (eSputnik’s path)');
  for (const route of [replace, esputnikReplace]) {
    api.openapi(route, async (c) => {
      const body = c.req.valid('json');
      const input = {
        contact: readContact(body, phoneOptions(body)),
        status: body.status,
        groups: body.groups,
        tags: body.tags,
      };
      return c.json(await replaceContact(ctx, c.req.valid('param').id, input, Date.now()), 200);
    });
  }

  registerContactActionRoutes(api, ctx);
}
