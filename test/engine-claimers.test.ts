// A database failure while several claimers advance runs fails the pass (retried), never the process.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { workflowDir } from './helpers/workflow-dir.ts';

const WELCOME = `
name: hello
on: subscribeFromApi-newsletter
steps:
  - send_email: { subject: "Hello", text: "Hi" }
`;

describe.each(testDialects())('engine claimers on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let dir: { dir: string; remove(): void };

  afterEach(async () => {
    await server.close();
    await database.drop();
    dir.remove();
  });

  it('rejects the pass, leaving no claimer rejection unhandled, when reading steps fails', async () => {
    database = await createTestDatabase(dialect);
    dir = workflowDir({ 'hello.yaml': WELCOME });
    server = await startTestServer({ DATABASE_URL: database.url, WORKFLOWS_DIR: dir.dir });
    await server.engine.stop();
    await server.mailer?.stop();
    // Enough runs for a full claim, which starts more claimers beside the first.
    for (let i = 0; i < 100; i++)
      expect((await server.subscribe('newsletter', { email: `c${i}@example.com` })).status).toBe(
        202,
      );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const { db, dialect: caps } = server.database;
    // DDL under the migration lock: another test's migrator reads every schema's tables, and
    // failed when this rename changed them under it (PostgreSQL).
    const rename = (from: string, to: string) =>
      caps.migratingAlone(db, (conn) => conn.schema.alterTable(from).renameTo(to).execute());
    // Stands for a database that fails every query reading steps (a restart, a full disk).
    await rename('workflow_steps', 'workflow_steps_away');
    try {
      // The first pass starts the runs (and fails advancing those it leased to itself).
      await expect(server.engine.tick()).rejects.toThrow();
      await expect(server.engine.tick()).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await rename('workflow_steps_away', 'workflow_steps');
    }
    expect(unhandled).toEqual([]);
  });
});
