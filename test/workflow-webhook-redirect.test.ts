// A webhook answering a redirect fails its run with a clear error; the redirect is not followed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

describe.each(testDialects())('webhook redirects on %s', (dialect) => {
  let env: WorkflowServer;
  let hook: Server;

  afterEach(async () => {
    await env.stop();
    await new Promise((resolve) => hook.close(resolve));
  });

  it('fails the run on a 302 without retrying or following it', async () => {
    const paths: string[] = [];
    hook = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    env = await startWorkflowServer(
      dialect,
      {
        'crm.yaml': `
name: crm
on: subscribeFromApi-newsletter
retry: { attempts: 3, backoff: 1s }
steps:
  - id: notify
    webhook: { url: "${url}" }
`,
      },
      { WEBHOOK_ALLOW_PRIVATE: 'true' },
    );
    await env.server.subscribe('newsletter', { email: 'redirect@example.com' });
    const done = await env.finishedRun('workflow=crm');
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(
      /notify: webhook: webhook answered 302 \(a redirect to \/elsewhere\)/,
    );
    expect(done.steps[0]).toMatchObject({ stepId: 'notify', status: 'failed', attempts: 1 });
    expect(paths).toEqual(['/hook']);
  });
});
