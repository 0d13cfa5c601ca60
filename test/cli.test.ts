// The `subflow` command: keys create prints a key the API accepts; migrate; import; bad config exits 2.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/open-database.ts';
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

  it('imports a CSV file: mapping, group, country; a summary, and failed rows in FILE.failed.csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subflow-cli-import-'));
    try {
      const file = join(dir, 'list.csv');
      writeFileSync(
        file,
        'Email;Mobile;Plan\r\ncli1@example.com;0541111111;pro\r\nnot-an-email;0541111112;basic\r\n' +
          'cli3@example.com; 0541111113 ;basic\r\n',
      );
      const env = { DATABASE_URL: database.url };
      const args = ['import', file, '--map', 'email=Email,phone=Mobile,fields.plan=Plan'];
      const flags = ['--group', 'CLI', '--default-country', 'IL', '--trim-leading-zero'];
      const { stdout } = await subflow([...args, ...flags], env);
      expect(stdout).toMatch(
        /^imported 3 rows in [\d.]+ s \([\d,]+ rows\/s\): 2 created, 0 updated, 0 skipped, 1 failed; failed rows with their reasons in .*list\.csv\.failed\.csv\n$/,
      );
      expect(readFileSync(`${file}.failed.csv`, 'utf8')).toBe(
        'Email,Mobile,Plan,reason\r\nnot-an-email,0541111112,basic,Email: must be a valid email address\r\n',
      );
      const { db, close } = openDatabase(database.url);
      try {
        const rows = await db
          .selectFrom('contacts')
          .select(['email', 'phone', 'fields', 'status', 'source'])
          .orderBy('email')
          .execute();
        expect(rows).toEqual([
          {
            email: 'cli1@example.com',
            phone: '+972541111111',
            fields: '{"plan":"pro"}',
            status: 'confirmed',
            source: 'import:cli',
          },
          {
            email: 'cli3@example.com',
            phone: '+972541111113',
            fields: '{"plan":"basic"}',
            status: 'confirmed',
            source: 'import:cli',
          },
        ]);
        const again = await subflow([...args, ...flags], env);
        expect(again.stdout).toContain('0 created, 2 updated, 0 skipped, 1 failed');
      } finally {
        await close();
      }
      await expect(subflow(['import', file, '--map', 'email=Mail'], env)).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('mapping.email: no column "Mail" in the header'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
