// PUT's `tags` is the whole set, at most 10 like every call that takes tags; `[]` removes them all.
import { describe, expect, it } from 'vitest';
import { getContactJson, issueFields, saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

describe.each(testDialects())('PUT tags on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  it('takes up to 10 tags, refuses 11 as POST /contacts and the tags endpoint do, and clears with []', async () => {
    const contact = await saveContact(server, { email: 'put-tags@example.com', tags: ['old'] });
    const put = (n: number) =>
      send(server, 'PUT', `/contacts/${contact.id}`, {
        email: 'put-tags@example.com',
        tags: tags(n),
      });

    expect(await issueFields(await put(11))).toEqual(['tags']);
    expect(
      await issueFields(
        await send(server, 'POST', '/contacts', { email: 'put-tags@example.com', tags: tags(11) }),
      ),
    ).toEqual(['tags']);
    expect(
      await issueFields(
        await send(server, 'POST', `/contacts/${contact.id}/tags`, { tags: tags(11) }),
      ),
    ).toEqual(['tags']);
    expect((await getContactJson(server, contact.id)).tags).toEqual(['old']);

    expect((await put(10)).status).toBe(200);
    expect((await getContactJson(server, contact.id)).tags.sort()).toEqual(tags(10).sort());
    expect((await put(0)).status).toBe(200);
    expect((await getContactJson(server, contact.id)).tags).toEqual([]);
  });
});
