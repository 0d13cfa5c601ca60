// /api/v1/workflows and /api/v1/workflow-runs: what is loaded, what ran, and cancelling a run.
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/require-api-key.ts';
import type { DB } from '../db/open-database.ts';
import { ConflictError } from '../errors.ts';
import {
  type ApiApp,
  errorResponse,
  errorResponses,
  idPathParams,
  idSchema,
  security,
} from '../http/api-app.ts';
import { pageQuery } from '../http/pagination.ts';
import type { WorkflowEngine } from './engine.ts';
import { countRuns } from './run-counts.ts';
import { cancelRun, getRun, listRuns } from './runs-view.ts';

const Run = z
  .looseObject({ id: z.number(), workflow: z.string(), status: z.string() })
  .openapi('WorkflowRun');
const RunWithSteps = z
  .looseObject({ id: z.number(), steps: z.array(z.looseObject({ stepId: z.string() })) })
  .openapi('WorkflowRunDetail');
const jsonOf = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function registerWorkflowRoutes(api: ApiApp, db: DB, engine: WorkflowEngine): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/workflows',
      tags: ['workflows'],
      security,
      middleware: [requireScope('workflows:read')] as const,
      responses: {
        200: jsonOf(
          z.object({
            items: z.array(z.looseObject({ name: z.string() })),
            errors: z.array(z.looseObject({ file: z.string() })),
          }),
          'Loaded workflows and the files that failed to load',
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      const { workflows, errors } = engine.status();
      const items = workflows.map(({ workflow, versionId }) => ({
        name: workflow.name,
        version: workflow.version,
        versionId,
        on: workflow.on,
        reentry: workflow.reentry,
        cancelOn: workflow.cancelOn,
        steps: workflow.program.filter((i) => i.op !== 'jump').length,
      }));
      return c.json({ items, errors }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/workflow-runs',
      tags: ['workflows'],
      security,
      middleware: [requireScope('workflows:read')] as const,
      request: {
        query: z.object({
          contactId: idSchema.optional(),
          workflow: z.string().min(1).max(200).optional(),
          status: z.enum(['running', 'waiting', 'completed', 'failed', 'cancelled']).optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonOf(
          z.object({ items: z.array(Run), nextCursor: z.string().nullable() }),
          'A page of runs, newest first',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listRuns(db, { ...q, before: q.cursor }), 200);
    },
  );

  const counts = z.object({
    running: z.number().int(),
    waiting: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
  });
  // Before `/workflow-runs/{id}`, which would otherwise take `counts` for an id (and answer 404).
  api.openapi(
    createRoute({
      method: 'get',
      path: '/workflow-runs/counts',
      tags: ['workflows'],
      summary: 'Runs by status, in all and per workflow',
      security,
      middleware: [requireScope('workflows:read')] as const,
      responses: {
        200: jsonOf(
          z
            .object({
              total: counts,
              byWorkflow: z.array(counts.extend({ workflow: z.string() })),
            })
            .openapi('WorkflowRunCounts'),
          'Counts by status; a workflow with no run is absent',
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await countRuns(db), 200),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/workflow-runs/{id}',
      tags: ['workflows'],
      security,
      middleware: [requireScope('workflows:read')] as const,
      request: { params: idPathParams },
      responses: {
        200: jsonOf(RunWithSteps, 'The run with each step'),
        404: errorResponse('No such run'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await getRun(db, c.req.valid('param').id), 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/workflow-runs/{id}/cancel',
      tags: ['workflows'],
      security,
      middleware: [requireScope('workflows:write')] as const,
      request: { params: idPathParams },
      responses: {
        200: jsonOf(RunWithSteps, 'The cancelled run'),
        404: errorResponse('No such run'),
        409: errorResponse('The run has already finished'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if ((await cancelRun(db, id)) === 'finished')
        throw new ConflictError(`workflow run ${id} has already finished`);
      return c.json(await getRun(db, id), 200);
    },
  );
}
