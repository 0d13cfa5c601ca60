// A date field holds calendar dates only: a day the month does not have is refused, as the contract says.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueFields, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

describe.each(testDialects())('date field values on %s', (dialect) => {
  const server = serverPerSuite(dialect);
  const email = () => `date-${randomBytes(4).toString('hex')}@example.com`;

  it('refuses 2026-02-30 and 2026-04-31 (Date.parse rolls them over), keeps real dates', async () => {
    expect((await send(server, 'POST', '/fields', { key: 'born', type: 'date' })).status).toBe(201);
    for (const day of ['2026-02-30', '2026-04-31', '2026-02-29T10:00Z']) {
      const res = await send(server, 'POST', '/contacts', {
        email: email(),
        fields: { born: day },
      });
      expect(await issueFields(res), day).toEqual(['fields.born']);
    }
    for (const day of ['2024-02-29', '2026-12-31T23:59:59.5+02:00']) {
      const res = await send(server, 'POST', '/contacts', {
        email: email(),
        fields: { born: day },
      });
      expect(res.status, day).toBe(201);
    }
  });
});
