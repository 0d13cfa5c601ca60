// An id in a path is decimal digits as the API writes them; `0x1`, `1e0`, `01`, ` 1`, `+1` name nothing.
import { describe, expect, it } from 'vitest';
import { type ErrorJson, saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

/** Spellings `Number()` reads as `id` that are not how the API writes it. */
const oddSpellings = (id: number) => [
  `0x${id.toString(16)}`,
  `${id}e0`,
  `0${id}`,
  `%20${id}`,
  `${id}%20`,
  `+${id}`,
  `${id}.0`,
  `0b${id.toString(2)}`,
];

describe.each(testDialects())('ids in paths on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  it('finds a contact, a group, a run by its id, and nothing by another spelling of it', async () => {
    const contact = await saveContact(server, { email: 'ids@example.com', groups: ['Ids'] });
    const groups = (await (await send(server, 'GET', '/groups')).json()) as {
      items: { id: number; name: string }[];
    };
    const group = groups.items.find((g) => g.name === 'Ids');
    if (!group) throw new Error('group Ids was not created');
    const routes = (contactId: string, groupId: string): [string, string, unknown?][] => [
      ['GET', `/contacts/${contactId}`],
      ['PATCH', `/contacts/${contactId}`, { firstName: 'Ann' }],
      ['PUT', `/contact/${contactId}`, { email: 'ids@example.com' }],
      ['POST', `/contacts/${contactId}/tags`, { tags: ['x'] }],
      ['GET', `/groups/${groupId}`],
      ['PATCH', `/groups/${groupId}`, { name: 'Ids' }],
      ['POST', `/group/${groupId}/contacts/attach`, { contactIds: [contact.id] }],
    ];
    for (const [method, path, body] of routes(String(contact.id), String(group.id))) {
      const res = await send(server, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(200);
    }
    const wrong: string[] = [];
    for (const [i, contactId] of oddSpellings(contact.id).entries()) {
      const groupId = oddSpellings(group.id)[i] as string;
      for (const [method, path, body] of routes(contactId, groupId)) {
        const res = await send(server, method, path, body);
        const answer = (await res.json()) as ErrorJson;
        if (res.status !== 404 || answer.error.code !== 'not_found')
          wrong.push(`${method} ${path}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 404 for an id beyond the largest safe integer, and for odd run and key ids', async () => {
    const paths: [string, string][] = [
      ['GET', '/contacts/9007199254740992'],
      ['GET', '/contacts/99999999999999999999'],
      ['GET', '/workflow-runs/0x1'],
      ['POST', '/workflow-runs/1e0/cancel'],
      ['DELETE', '/keys/01'],
      ['DELETE', '/groups/0x1'],
      ['POST', '/contacts/+1/restore'],
      ['DELETE', '/contacts/1.0'],
    ];
    for (const [method, path] of paths) {
      const res = await send(server, method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });

  it('refuses a contactId filter that is not an id as written, with a 422 naming it', async () => {
    for (const path of ['/events?contactId=0x1', '/workflow-runs?contactId=1e0']) {
      const res = await send(server, 'GET', path);
      expect(res.status, path).toBe(422);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.issues?.map((i) => i.field)).toEqual(['contactId']);
    }
  });
});
