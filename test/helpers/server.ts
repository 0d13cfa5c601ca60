// Runs the real server for a test: in-process on a free port, or as a child process to kill.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Timings } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { type RunningServer, type StartOptions, startServer } from '../../server/server.ts';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.ts';

export const TEST_API_KEY = 'test-bootstrap-key-0123456789';

/** Tests start with no workflows (the shipped examples would send extra mail) unless they bring some. */
const NO_WORKFLOWS = mkdtempSync(join(tmpdir(), 'subflow-no-workflows-'));

export interface TestServer extends RunningServer {
  api(path: string, init?: RequestInit): Promise<Response>;
  subscribe(formId: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

const fastTimings: Partial<Timings> = {
  mailPollMs: 100,
  mailFirstBackoffMs: 300,
  shutdownGraceMs: 1000,
};

export async function startTestServer(
  env: Record<string, string>,
  timings: Partial<Timings> = {},
  opts: StartOptions = {},
): Promise<TestServer> {
  const config = loadConfig(
    {
      PORT: String(await freePort()),
      BOOTSTRAP_API_KEY: TEST_API_KEY,
      SUBSCRIBE_RATE_LIMIT: '10000',
      API_RATE_LIMIT: '100000',
      LOG_LEVEL: 'silent',
      WORKFLOWS_DIR: NO_WORKFLOWS,
      ...env,
    },
    { ...fastTimings, ...timings },
  );
  const server = await startServer(config, createLogger(config.LOG_LEVEL), opts);
  return withHelpers(server);
}

function withHelpers(server: RunningServer): TestServer {
  return {
    ...server,
    api: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${TEST_API_KEY}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      }),
    subscribe: (formId, body, headers = {}) =>
      fetch(`${server.url}/v1/forms/${formId}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Starts `subflow serve` (with `args`, e.g. `['--role', 'worker']`) as a separate process and
 * waits until /healthz answers.
 */
export async function spawnServer(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['server/bin/subflow.js', 'serve', ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      PUBLIC_URL: url,
      BOOTSTRAP_API_KEY: TEST_API_KEY,
      LOG_LEVEL: 'warn',
      WORKFLOWS_DIR: NO_WORKFLOWS,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Generous: several processes starting at once (tsx compiling each) on a loaded 2-core machine.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become healthy within 60 s');
}

/**
 * One server on a fresh database of `dialect` for the enclosing `describe`: started in beforeAll,
 * closed in afterAll. Returns a stand-in that forwards to that server, so tests use it as one.
 * @example const server = serverPerSuite(dialect); it('…', async () => server.api('/api/v1/…'));
 */
export function serverPerSuite(
  dialect: TestDialect,
  env: Record<string, string> = {},
  timings: Partial<Timings> = {},
): TestServer {
  let database: TestDatabase | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url, ...env }, timings);
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });
  return new Proxy({} as TestServer, {
    get(_, key) {
      if (!server) throw new Error('the suite’s server starts in beforeAll: use it inside tests');
      return Reflect.get(server, key);
    },
  });
}
