// POST /contacts/upload: internal targets refused unless IMPORT_ALLOW_PRIVATE=true; then it imports.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContactJson, type ErrorJson, send } from './helpers/contacts.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { finishedImport } from './helpers/imports.ts';
import { startTestServer } from './helpers/server.ts';

describe.each(testDialects())('import from a file URL on %s', (dialect) => {
  let database: TestDatabase;
  let files: Server;
  let filesUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    files = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/moved') return res.writeHead(302, { location: '/list.csv' }).end();
      const auth = `Basic ${Buffer.from('crm:pw').toString('base64')}`;
      if (req.headers.authorization !== auth) return res.writeHead(401).end();
      res.end(
        'Email,Mobile,Firstname\nlinked1@example.com,0541111111,Lin\nlinked2@example.com,0541111112,Ked\n',
      );
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => files.close(resolve));
    await database.drop();
  });

  it('refuses loopback, private and link-local targets (also by name) with IMPORT_ALLOW_PRIVATE unset', async () => {
    const server = await startTestServer({ DATABASE_URL: database.url });
    try {
      const port = (files.address() as AddressInfo).port;
      const refused = async (link: string, range: RegExp) => {
        const res = await send(server, 'POST', '/contacts/upload', { link });
        const body = (await res.json()) as ErrorJson;
        expect(res.status, link).toBe(422);
        expect(body.error.issues).toEqual([
          { field: 'link', message: expect.stringMatching(range) },
        ]);
      };
      await refused(
        `${filesUrl}/list.csv`,
        /^refusing to fetch from 127\.0\.0\.1: a loopback address/,
      );
      await refused(`http://localhost:${port}/list.csv`, /a loopback address/);
      await refused(`http://crm:pw@127.0.0.1:${port}/moved`, /a loopback address/);
      await refused('http://10.1.2.3/list.csv', /a private address/);
      await refused(
        'http://169.254.169.254/latest/meta-data',
        /a link-local \(cloud metadata\) address/,
      );
      await refused('http://[::1]/list.csv', /a loopback address/);
      expect(requests).toEqual([]);
      const ftp = await send(server, 'POST', '/contacts/upload', {
        link: 'ftp://files.example.com/x.csv',
      });
      expect(ftp.status).toBe(422);
      expect(await server.database.db.selectFrom('imports').select('id').execute()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('imports from a local server with IMPORT_ALLOW_PRIVATE=true: basic auth, a redirect, options', async () => {
    const server = await startTestServer({
      DATABASE_URL: database.url,
      IMPORT_ALLOW_PRIVATE: 'true',
    });
    try {
      const link = filesUrl.replace('http://', 'http://crm:pw@');
      const res = await send(server, 'POST', '/contacts/upload', {
        link: `${link}/moved`,
        groups: ['Linked'],
        defaultCountry: 'IL',
        trimLeadingZero: true,
      });
      expect(res.status).toBe(202);
      const done = await finishedImport(server.url, ((await res.json()) as { id: number }).id);
      expect(done).toMatchObject({ status: 'done', created: 2, failed: 0 });
      const found = (await (
        await send(server, 'GET', '/contacts?email=linked1@example.com')
      ).json()) as { items: ContactJson[] };
      expect(found.items[0]).toMatchObject({
        phone: '+972541111111',
        firstName: 'Lin',
        groups: ['Linked'],
      });
      const wrong = await send(server, 'POST', '/contacts/upload', {
        link: `${filesUrl}/list.csv`,
      });
      expect(((await wrong.json()) as ErrorJson).error.message).toBe('link: answered 401, not 200');
    } finally {
      await server.close();
    }
  });
});
