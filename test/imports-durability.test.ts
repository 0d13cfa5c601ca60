// An import survives SIGKILL midway: after a restart it finishes with every row stored exactly once.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { finishedImport } from './helpers/imports.ts';
import { spawnServer, TEST_API_KEY } from './helpers/server.ts';
import { until } from './helpers/workflow-dir.ts';

const ROWS = 20_000;

function csv(rows: number): string {
  const lines = ['Email;Mobile;FirstName;Plan'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `kill${i}@example.com;+44 7700 ${String(100_000 + i).padStart(6, '0')};Name${i};p${i % 7}`,
    );
  return lines.join('\r\n');
}

describe.each(testDialects())('import durability on %s', (dialect) => {
  let database: TestDatabase;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await database.drop();
  });

  // Two server starts and 20,000 rows take longer than Vitest's default 30 s on a loaded CI
  // machine; the waits inside bound each step.
  it('resumes a 20,000-row import killed midway, storing each row exactly once', async () => {
    database = await createTestDatabase(dialect);
    const env = { DATABASE_URL: database.url };
    const first = await spawnServer(env);
    child = first.child;
    const res = await fetch(`${first.url}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ csv: csv(ROWS), groups: ['Killed'] }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };

    const { db, close } = openDatabase(database.url);
    try {
      const progress = () =>
        db
          .selectFrom('imports')
          .select(['processed', 'total'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      const midway = await until(async () => {
        const p = await progress();
        return p.processed > 0 && p.processed < p.total ? p : undefined;
      }, 30_000);
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
      const atKill = await progress();
      expect(atKill.processed).toBeGreaterThanOrEqual(midway.processed);
      expect(atKill.processed).toBeLessThan(ROWS);

      const second = await spawnServer(env);
      child = second.child;
      const done = await finishedImport(second.url, id, 60_000);
      expect(done).toMatchObject({
        status: 'done',
        total: ROWS,
        processed: ROWS,
        created: ROWS,
        updated: 0,
        failed: 0,
      });

      const stored = await db
        .selectFrom('contacts')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.count<number>('email').distinct().as('emails'),
        ])
        .where('email', 'like', 'kill%@example.com')
        .executeTakeFirstOrThrow();
      expect({ n: Number(stored.n), emails: Number(stored.emails) }).toEqual({
        n: ROWS,
        emails: ROWS,
      });
      const members = await db
        .selectFrom('contact_groups')
        .innerJoin('groups', 'groups.id', 'contact_groups.group_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('groups.name', '=', 'Killed')
        .executeTakeFirstOrThrow();
      expect(Number(members.n)).toBe(ROWS);
      const left = await db
        .selectFrom('import_chunks')
        .select('first_index')
        .where('import_id', '=', id)
        .execute();
      expect(left).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);
});
