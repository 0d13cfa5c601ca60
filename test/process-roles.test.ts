// `serve --role web|worker|all`: split roles share one PostgreSQL, wake each other with signals and
// start together safely; SQLite refuses them.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { spawnServer, startTestServer, type TestServer } from './helpers/server.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

describe('roles on SQLite', () => {
  it.each(['web', 'worker'])('refuses --role %s, naming what to do instead', async (role) => {
    const database = await createTestDatabase('sqlite');
    const child = spawn(process.execPath, ['server/bin/subflow.js', 'serve', '--role', role], {
      env: { ...process.env, DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(`--role ${role} needs PostgreSQL`);
    expect(stderr).toContain('--role all');
    await database.drop();
  });
});

const WELCOME = `
name: hello
on: subscribeFromApi-newsletter
steps:
  - send_email: { subject: "Hello \${EmailAddress}", text: "Hi" }
`;

describe.skipIf(!inject('postgresUrl'))('web and worker processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let web: TestServer;
  let worker: TestServer;
  let dir: ReturnType<typeof workflowDir>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    smtp = await new TestSmtp().start();
    dir = workflowDir({ 'hello.yaml': WELCOME });
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url, WORKFLOWS_DIR: dir.dir };
    // Polls a minute apart: whatever arrives within seconds was woken by a signal.
    const slowPolls = { mailPollMs: 60_000, enginePollMs: 60_000, importPollMs: 60_000 };
    worker = await startTestServer(env, slowPolls, { role: 'worker' });
    web = await startTestServer(env, slowPolls, { role: 'web' });
  });

  afterAll(async () => {
    await web?.close();
    await worker?.close();
    await smtp.stop();
    dir.remove();
  });

  it('serves the API from web only; a worker answers /healthz and 404 for the rest', async () => {
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/v1/forms/newsletter`)).status).toBe(404);
    expect((await worker.api('/api/v1/contacts')).status).toBe(404);
    expect((await web.api('/api/v1/workflows')).status).toBe(200);
    const listed = (await (await web.api('/api/v1/workflows')).json()) as {
      items: { name: string }[];
    };
    expect(listed.items.map((w) => w.name)).toEqual(['hello']);
  });

  it('a commit in the web process wakes the worker: mail, workflows and imports within seconds', async () => {
    expect((await web.subscribe('newsletter', { email: 'woken@example.com' })).status).toBe(202);
    await smtp.waitForMail('woken@example.com', 10_000, 2);
    const subjects = smtp.mailsTo('woken@example.com').map((m) => m.subject);
    expect(subjects.sort()).toEqual([
      'Hello woken@example.com',
      'Please confirm your subscription',
    ]);

    const queued = await web.api('/api/v1/contacts', {
      method: 'POST',
      body: JSON.stringify({
        contacts: [{ channels: [{ type: 'email', value: 'bulk@example.com' }] }],
      }),
    });
    expect(queued.status).toBe(200);
    const { asyncSessionId } = (await queued.json()) as { asyncSessionId: number };
    await until(async () => {
      const res = await web.api(`/api/v1/imports/${asyncSessionId}`);
      return ((await res.json()) as { status: string }).status === 'done';
    }, 10_000);
  });
});

describe.skipIf(!inject('postgresUrl'))('processes starting at once on a fresh schema', () => {
  it('migrate once, agree on one secret key and one default form, and all serve', async () => {
    const database = await createTestDatabase('postgres');
    const env = { DATABASE_URL: database.url };
    const started = await Promise.all([
      spawnServer(env, ['--role', 'web']),
      spawnServer(env, ['--role', 'worker']),
      spawnServer(env, ['--role', 'all']),
    ]);
    const check = openDatabase(database.url);
    try {
      for (const { url } of started) expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const web = started[0];
      const res = await fetch(`${web?.url}/v1/forms/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'together@example.com' }),
      });
      expect(res.status).toBe(202);
      const migrations = await check.db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      const names = migrations.map((m) => (m as { name: string }).name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
      expect(await check.db.selectFrom('settings').selectAll().execute()).toHaveLength(1);
      expect(await check.db.selectFrom('forms').select('id').execute()).toEqual([
        { id: 'newsletter' },
      ]);
      expect(await check.db.selectFrom('workers').select('id').execute()).toHaveLength(3);

      // SIGTERM: each stops gracefully, exits 0 and leaves the registry.
      for (const { child } of started) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
      expect(await check.db.selectFrom('workers').select('id').execute()).toEqual([]);
    } finally {
      for (const { child } of started) if (child.exitCode === null) child.kill('SIGKILL');
      await check.close();
    }
  });
});
