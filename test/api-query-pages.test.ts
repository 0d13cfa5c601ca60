// Page queries: an empty cursor is the first page, a key given twice or unknown is one clear 422.
import { describe, expect, it } from 'vitest';
import { saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

/** Every list of the API, each paged by `cursor` and `limit`. */
const LISTS = [
  '/contacts',
  '/contacts/changes',
  '/groups',
  '/events',
  '/keys',
  '/workflow-runs',
] as const;

interface Issues {
  error: { issues?: { field: string; message: string }[] };
}

describe.each(testDialects())('page queries on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  /** The issues of a request that must be a 422, as `field: message`. */
  async function issuesOf(path: string): Promise<string[]> {
    const res = await send(server, 'GET', path);
    const body = (await res.json()) as Issues;
    expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(422);
    return (body.error.issues ?? []).map((i) => `${i.field}: ${i.message}`);
  }

  it('reads an empty cursor as the first page on every list', async () => {
    await saveContact(server, { email: 'pages@example.com', groups: ['Pages'] });
    for (const list of LISTS) {
      const first = await send(server, 'GET', `${list}?limit=5`);
      const empty = await send(server, 'GET', `${list}?cursor=&limit=5`);
      expect(empty.status, list).toBe(200);
      expect(await empty.json(), list).toEqual(await first.json());
    }
  });

  it('says to give limit or cursor once when a query repeats it', async () => {
    for (const list of LISTS) {
      expect(await issuesOf(`${list}?limit=5&limit=6`)).toEqual(['limit: give limit once']);
      expect(await issuesOf(`${list}?cursor=1&cursor=2`)).toEqual(['cursor: give cursor once']);
    }
  });

  it('names a bad cursor or limit once', async () => {
    for (const list of LISTS) {
      expect(await issuesOf(`${list}?cursor=99999999999999999`)).toEqual([
        'cursor: expected a nextCursor from a previous page',
      ]);
      for (const limit of ['0', '1001', '0x10', '1e2', '5.0', 'ten'])
        expect(await issuesOf(`${list}?limit=${limit}`), `${list} ${limit}`).toEqual([
          'limit: expected a whole number from 1 to 1000',
        ]);
    }
  });

  it('refuses unknown query keys on the change feed as on the contact list, naming each', async () => {
    expect(await issuesOf('/contacts/changes?since=1&limit=5&after=2')).toEqual([
      'since: unknown query key; use cursor or limit',
      'after: unknown query key; use cursor or limit',
    ]);
    expect((await issuesOf('/contacts?since=1')).map((i) => i.split(':')[0])).toEqual(['since']);
  });
});
