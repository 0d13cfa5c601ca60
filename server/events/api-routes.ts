// /api/v1/events: the event log (newest first, filtered) and custom events a CRM sends to start workflows.
import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../app-deps.ts';
import { requireScope } from '../auth/require-api-key.ts';
import { type ApiApp, errorResponse, errorResponses, idSchema, security } from '../http/api-app.ts';
import { pageQuery } from '../http/pagination.ts';
import { identityOf, PostEventRequest } from './event-input.ts';
import { EventResource } from './event-resource.ts';
import { listEvents } from './list-events.ts';
import { recordContactEvent } from './record-contact-event.ts';

const EventPage = z
  .object({ items: z.array(EventResource), nextCursor: z.string().nullable() })
  .openapi('EventPage');

export function registerEventRoutes(api: ApiApp, deps: Pick<AppDeps, 'db' | 'wakeups'>): void {
  const { db, wakeups } = deps;
  api.openapi(
    createRoute({
      method: 'get',
      path: '/events',
      tags: ['events'],
      summary: 'The event log, newest first',
      security,
      middleware: [requireScope('events:read')] as const,
      request: {
        query: z.object({
          type: z.string().min(1).max(200).optional(),
          contactId: idSchema.optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: 'A page of events',
          content: { 'application/json': { schema: EventPage } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listEvents(db, {
        type: q.type,
        contactId: q.contactId,
        before: q.cursor,
        limit: q.limit,
      });
      return c.json(page, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/events',
      tags: ['events'],
      summary: 'Send a custom event for a contact; it starts workflows listening to its type',
      description:
        "Subflow's own event names (`subscribeFromApi…`, `subscribeUpdateFromApi…`, " +
        '`emailConfirmed…`, `unsubscribed…`) are a 422 naming `type`: they say the contact ' +
        'itself subscribed, confirmed or unsubscribed.',
      security,
      middleware: [requireScope('events:write')] as const,
      request: {
        body: { content: { 'application/json': { schema: PostEventRequest } }, required: true },
      },
      responses: {
        201: {
          description: 'The event, appended; workflows whose `on:` matches its type start',
          content: { 'application/json': { schema: EventResource } },
        },
        404: errorResponse('No contact has the given identity'),
        409: errorResponse('The contact is deleted (deleted contacts are out of workflows)'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const event = await recordContactEvent(
        { db, wakeups },
        { type: body.type, identity: identityOf(body), params: body.params ?? {}, now: Date.now() },
      );
      return c.json(event, 201);
    },
  );
}
