// The `subflow` command: keys create prints a key the API accepts; migrate; bad config exits 2.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer } from './helpers/server.ts';

const run = promisify(execFile);
const subflow = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ['server/bin/subflow.js', ...args], { env: { ...process.env, ...env } });

describe.each(testDialects())('subflow CLI on %s', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  it('migrates, then creates a scoped key that the API accepts', async () => {
    const env = { DATABASE_URL: database.url };
    expect((await subflow(['migrate'], env)).stdout).toContain('applied: 2026-11-22-0001-core');
    expect((await subflow(['migrate'], env)).stdout).toContain('up to date');
    const { stdout } = await subflow(
      ['keys', 'create', '--name', 'crm', '--scope', 'events:read'],
      env,
    );
    const key = stdout.trim();
    expect(key).toMatch(/^sf_[\w-]{32}$/);

    const server = await startTestServer(env);
    try {
      const auth = { authorization: `Bearer ${key}` };
      expect((await fetch(`${server.url}/api/v1/events`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${server.url}/api/v1/forms`, { headers: auth })).status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('refuses an unknown scope and a bad configuration with a message', async () => {
    await expect(
      subflow(['keys', 'create', '--name', 'x', '--scope', 'root'], { DATABASE_URL: database.url }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('expected one of admin'),
    });
    await expect(subflow(['migrate'], { DATABASE_URL: 'mysql://nope' })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('DATABASE_URL'),
    });
  });
});
