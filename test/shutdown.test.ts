// Graceful shutdown: SIGTERM lets the in-flight request finish, stops the sender and exits 0.
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/databases.ts';
import { spawnServer } from './helpers/server.ts';

describe('shutdown', () => {
  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    const database = await createTestDatabase('sqlite');
    const { child, url } = await spawnServer({ DATABASE_URL: database.url });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const inFlight = fetch(`${url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bye@example.com' }),
    });
    await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGTERM');
    expect((await inFlight).status).toBe(202);
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await database.drop();
  });
});
