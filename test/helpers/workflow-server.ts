// A server with a folder of test workflows and a real SMTP server, plus readers for its runs.
import type { TestDialect } from './databases.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { startTestServer, type TestServer } from './server.ts';
import { TestSmtp } from './smtp.ts';
import { until, workflowDir } from './workflow-dir.ts';

export interface RunView {
  id: number;
  status: string;
  workflow: string;
  error: string | null;
  steps: {
    stepId: string;
    status: string;
    attempts: number;
    error: string | null;
    output: unknown;
  }[];
}

export interface WorkflowServer {
  server: TestServer;
  smtp: TestSmtp;
  dir: string;
  runsOf(query: string): Promise<RunView[]>;
  /** The newest run matching `query` once it has completed, failed or been cancelled. */
  finishedRun(query: string): Promise<RunView>;
  stop(): Promise<void>;
}

export async function startWorkflowServer(
  dialect: TestDialect,
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<WorkflowServer> {
  const database: TestDatabase = await createTestDatabase(dialect);
  const smtp = await new TestSmtp().start();
  const folder = workflowDir(files);
  const server = await startTestServer({
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    WORKFLOWS_DIR: folder.dir,
    ...env,
  });
  const runsOf = async (query: string) =>
    ((await (await server.api(`/api/v1/workflow-runs?${query}`)).json()) as { items: RunView[] })
      .items;
  const run = async (id: number) =>
    (await (await server.api(`/api/v1/workflow-runs/${id}`)).json()) as RunView;
  return {
    server,
    smtp,
    dir: folder.dir,
    runsOf,
    finishedRun: (query) =>
      until(async () => {
        const [first] = await runsOf(query);
        return first && ['completed', 'failed', 'cancelled'].includes(first.status)
          ? run(first.id)
          : undefined;
      }),
    stop: async () => {
      await server.close();
      await smtp.stop();
      await database.drop();
      folder.remove();
    },
  };
}
