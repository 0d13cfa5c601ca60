// Groups as resources: CRUD, member counts, attach/detach by id or external id, on each dialect.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { findContactById, markContactDeleted } from '../server/contacts/store/contact-rows.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

interface Group {
  id: number;
  name: string;
  contactCount: number;
  createdAt: string;
}
interface ErrorBody {
  error: { code: string; issues?: { field: string; message: string }[] };
}

describe.each(testDialects())('groups API on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const send = (method: string, path: string, body?: unknown) =>
    server.api(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
  const createGroup = async (name = unique('g')) => {
    const res = await send('POST', '/api/v1/groups', { name });
    expect(res.status).toBe(201);
    return json<Group>(res);
  };
  /** A contact made through the API subscribe (groups joined at once: an authenticated caller). */
  const contact = async (groups: string[] = [], externalId?: string) => {
    const res = await send('POST', '/api/v1/contact/subscribe', {
      contact: { email: `${unique('c')}@example.com`, externalCustomerId: externalId },
      groups,
    });
    expect(res.status).toBe(200);
    return (await json<{ id: number }>(res)).id;
  };
  const groupsOf = async (id: number) =>
    (await json<{ groups: string[] }>(server.api(`/api/v1/contacts/${id}`))).groups;
  const changeSeq = async (id: number) =>
    Number((await findContactById(server.database.db, id))?.change_seq);
  const deleteContact = async (id: number) => {
    const row = await findContactById(server.database.db, id);
    if (!row) throw new Error(`no contact ${id}`);
    await markContactDeleted(server.database.db, row, Date.now());
  };
  const issuesOf = async (res: Response) =>
    ((await res.json()) as ErrorBody).error.issues?.map((i) => i.field);

  it('answers 401 without a key and 403 without the scope', async () => {
    const group = await createGroup();
    const bare = (method: string, path: string, key?: string) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: method === 'GET' ? undefined : JSON.stringify({ name: 'x', contactIds: [1] }),
      });
    const routes: [string, string][] = [
      ['GET', '/api/v1/groups'],
      ['POST', '/api/v1/groups'],
      ['GET', `/api/v1/groups/${group.id}`],
      ['PATCH', `/api/v1/groups/${group.id}`],
      ['DELETE', `/api/v1/groups/${group.id}`],
      ['POST', `/api/v1/group/${group.id}/contacts/attach`],
      ['POST', `/api/v1/group/${group.id}/contacts/detach`],
    ];
    const { key: reader } = await createApiKey(server.database.db, {
      name: 'reader',
      scopes: ['contacts:read'],
    });
    const { key: stranger } = await createApiKey(server.database.db, {
      name: 'stranger',
      scopes: ['events:read'],
    });
    for (const [method, path] of routes) {
      expect((await bare(method, path)).status, `${method} ${path}`).toBe(401);
      expect((await bare(method, path, stranger)).status, `${method} ${path}`).toBe(403);
      const asReader = (await bare(method, path, reader)).status;
      expect(asReader, `${method} ${path}`).toBe(method === 'GET' ? 200 : 403);
    }
  });

  it('creates, reads, renames and deletes a group, refusing taken names', async () => {
    const name = unique('Launch');
    const created = await createGroup(name);
    expect(created).toMatchObject({ name, contactCount: 0 });
    expect(new Date(created.createdAt).getTime()).toBeGreaterThan(0);
    const again = await send('POST', '/api/v1/groups', { name });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe('conflict');

    expect(await json(server.api(`/api/v1/groups/${created.id}`))).toEqual(created);
    const other = await createGroup();
    const clash = await send('PATCH', `/api/v1/groups/${created.id}`, { name: other.name });
    expect(clash.status).toBe(409);
    const renamed = await send('PATCH', `/api/v1/groups/${created.id}`, { name: `${name}-2` });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: created.id, name: `${name}-2` });
    const same = await send('PATCH', `/api/v1/groups/${created.id}`, { name: `${name}-2` });
    expect(same.status).toBe(200);

    expect((await send('DELETE', `/api/v1/groups/${created.id}`)).status).toBe(204);
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: unique('x') }],
      ['DELETE', undefined],
    ] as const) {
      const res = await send(method, `/api/v1/groups/${created.id}`, body);
      expect(res.status, method).toBe(404);
    }
  });

  it('refuses names that are blank, too long or not text, and unknown keys', async () => {
    for (const body of [{ name: '  ' }, { name: 'x'.repeat(201) }, { name: 3 }, {}]) {
      const res = await send('POST', '/api/v1/groups', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(await issuesOf(res)).toEqual(['name']);
    }
    const extra = await send('POST', '/api/v1/groups', { name: unique('g'), colour: 'red' });
    expect(extra.status).toBe(422);
    const group = await createGroup();
    const bad = await send('PATCH', `/api/v1/groups/${group.id}`, { name: 'a\nb' });
    expect(bad.status).toBe(422);
    expect(await issuesOf(bad)).toEqual(['name']);
  });

  it('lists groups oldest first in cursor pages, with confirmed, live members counted', async () => {
    const [a, b, c] = [await createGroup(), await createGroup(), await createGroup()];
    const ids = await Promise.all([
      contact([a.name]),
      contact([a.name, b.name]),
      contact([a.name]),
    ]);
    await deleteContact(ids[2] as number);
    // A pending membership (a form with double opt-in, link not used yet) is not counted.
    const form = unique('form');
    await send('POST', '/api/v1/forms', { id: form, name: 'Form', groups: [b.name] });
    expect((await server.subscribe(form, { email: `${unique('p')}@example.com` })).status).toBe(
      202,
    );

    const seen: Group[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Group[]; nextCursor: string | null } = await json(
        server.api(`/api/v1/groups?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const ours = seen.filter((g) => [a.id, b.id, c.id].includes(g.id));
    expect(ours.map((g) => [g.id, g.contactCount])).toEqual([
      [a.id, 2],
      [b.id, 1],
      [c.id, 0],
    ]);
    expect(seen.map((g) => g.id)).toEqual([...seen.map((g) => g.id)].sort((x, y) => x - y));
    expect((await json<Group>(server.api(`/api/v1/groups/${a.id}`))).contactCount).toBe(2);
    expect((await server.api('/api/v1/groups?limit=1001')).status).toBe(422);
    expect((await server.api('/api/v1/groups?cursor=abc')).status).toBe(422);
  });

  it('attaches by contact id, reporting unknown and deleted contacts, and stamps the change feed', async () => {
    const group = await createGroup();
    const [member, fresh, gone] = [await contact([group.name]), await contact(), await contact()];
    await deleteContact(gone);
    const before = await changeSeq(fresh);
    const res = await send('POST', `/api/v1/group/${group.id}/contacts/attach`, {
      contactIds: [member, fresh, gone, 999_999, fresh],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      attached: 1,
      alreadyMembers: 1,
      notFound: [999_999],
      deleted: [gone],
    });
    expect(await groupsOf(fresh)).toEqual([group.name]);
    expect(await changeSeq(fresh)).toBeGreaterThan(before);
    expect(await groupsOf(gone)).toEqual([]);
  });

  it('attaches and detaches by external id', async () => {
    const group = await createGroup();
    const ext = unique('crm');
    const id = await contact([], ext);
    const attach = await send('POST', `/api/v1/group/${group.id}/contacts/attach`, {
      externalCustomerIds: [ext, 'nobody'],
    });
    expect(await attach.json()).toEqual({
      attached: 1,
      alreadyMembers: 0,
      notFound: ['nobody'],
      deleted: [],
    });
    expect(await groupsOf(id)).toEqual([group.name]);
    const before = await changeSeq(id);
    const detach = await send('POST', `/api/v1/group/${group.id}/contacts/detach`, {
      externalCustomerIds: [ext, 'nobody'],
    });
    expect(await detach.json()).toEqual({ detached: 1, notFound: ['nobody'] });
    expect(await groupsOf(id)).toEqual([]);
    expect(await changeSeq(id)).toBeGreaterThan(before);
  });

  it('refuses 501 ids, both kinds at once, none on attach, and an unknown group', async () => {
    const group = await createGroup();
    const path = `/api/v1/group/${group.id}/contacts/attach`;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const full = await send('POST', path, { contactIds: ids(500) });
    expect(full.status).toBe(200);
    expect(((await full.json()) as { notFound: number[] }).notFound.length).toBeGreaterThan(0);
    const tooMany = await send('POST', path, { contactIds: ids(501) });
    expect(tooMany.status).toBe(422);
    expect(await issuesOf(tooMany)).toEqual(['contactIds']);
    const tooManyExt = await send('POST', `/api/v1/group/${group.id}/contacts/detach`, {
      externalCustomerIds: ids(501).map(String),
    });
    expect(tooManyExt.status).toBe(422);
    expect(await issuesOf(tooManyExt)).toEqual(['externalCustomerIds']);
    const both = await send('POST', path, { contactIds: [1], externalCustomerIds: ['a'] });
    expect(both.status).toBe(422);
    expect((await send('POST', path, {})).status).toBe(422);
    expect((await send('POST', path, { contactIds: ['1'] })).status).toBe(422);
    expect((await send('POST', path, { contactIds: [] })).status).toBe(422);
    const unknown = await send('POST', '/api/v1/group/999999/contacts/attach', { contactIds: [1] });
    expect(unknown.status).toBe(404);
    const unknownDetach = await send('POST', '/api/v1/group/999999/contacts/detach');
    expect(unknownDetach.status).toBe(404);
  });

  it('detaches every member when no ids are sent, and refuses an empty list', async () => {
    const group = await createGroup();
    const members = [await contact([group.name]), await contact([group.name])];
    const emptyList = await send('POST', `/api/v1/group/${group.id}/contacts/detach`, {
      contactIds: [],
    });
    expect(emptyList.status).toBe(422);
    expect((await json<Group>(server.api(`/api/v1/groups/${group.id}`))).contactCount).toBe(2);

    const bodies: (RequestInit & { label: string })[] = [
      { label: 'no body, JSON type', method: 'POST' },
      { label: 'no body, no type', method: 'POST', headers: { 'content-type': '' } },
      { label: 'an empty object', method: 'POST', body: '{}' },
    ];
    for (const { label, ...init } of bodies) {
      await send('POST', `/api/v1/group/${group.id}/contacts/attach`, { contactIds: members });
      const before = await changeSeq(members[0] as number);
      const res = await server.api(`/api/v1/group/${group.id}/contacts/detach`, init);
      expect(res.status, label).toBe(200);
      expect(await res.json(), label).toEqual({ detached: 2, notFound: [] });
      expect(await groupsOf(members[0] as number), label).toEqual([]);
      expect(await changeSeq(members[0] as number), label).toBeGreaterThan(before);
    }
    expect((await json<Group>(server.api(`/api/v1/groups/${group.id}`))).contactCount).toBe(0);
  });

  it('deleting a group drops its memberships, stamps members, and forms naming it still work', async () => {
    const name = unique('Weekly');
    const group = await createGroup(name);
    const member = await contact([name]);
    const form = unique('form');
    await send('POST', '/api/v1/forms', {
      id: form,
      name: 'F',
      groups: [name],
      doubleOptIn: false,
    });
    const before = await changeSeq(member);
    expect((await send('DELETE', `/api/v1/groups/${group.id}`)).status).toBe(204);
    expect(await groupsOf(member)).toEqual([]);
    expect(await changeSeq(member)).toBeGreaterThan(before);

    // The form still lists the name: its next subscriber recreates the group (a new id).
    const email = `${unique('f')}@example.com`;
    expect((await server.subscribe(form, { email })).status).toBe(202);
    const list = await json<{ items: Group[] }>(server.api('/api/v1/groups?limit=1000'));
    const recreated = list.items.find((g) => g.name === name);
    expect(recreated?.id).not.toBe(group.id);
    expect(recreated?.contactCount).toBe(1);
  });

  it('renaming a group renames it in members, pending members and the forms that list it', async () => {
    const name = unique('Old');
    const group = await createGroup(name);
    const member = await contact([name]);
    const form = unique('form');
    await send('POST', '/api/v1/forms', { id: form, name: 'F', groups: [name, 'Other'] });
    const email = `${unique('p')}@example.com`;
    expect((await server.subscribe(form, { email })).status).toBe(202);
    const pending = await server.database.db
      .selectFrom('contacts')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const before = [await changeSeq(member), await changeSeq(pending.id)];

    const res = await send('PATCH', `/api/v1/groups/${group.id}`, { name: `${name}-new` });
    expect(res.status).toBe(200);
    expect(await groupsOf(member)).toEqual([`${name}-new`]);
    const pendingView = await json<{ pendingGroups: string[] }>(
      server.api(`/api/v1/contacts/${pending.id}`),
    );
    expect(pendingView.pendingGroups).toEqual(expect.arrayContaining([`${name}-new`]));
    expect(await changeSeq(member)).toBeGreaterThan(before[0] as number);
    expect(await changeSeq(pending.id)).toBeGreaterThan(before[1] as number);
    const formView = await json<{ groups: string[] }>(server.api(`/api/v1/forms/${form}`));
    expect(formView.groups).toEqual([`${name}-new`, 'Other']);
  });

  it('documents every group route with its resource', async () => {
    const doc = (await json(fetch(`${server.url}/api/v1/openapi.json`))) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/groups'] ?? {})).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/groups/{id}'] ?? {})).toEqual(['get', 'patch', 'delete']);
    expect(doc.paths['/group/{id}/contacts/attach']?.post?.responses).toHaveProperty('404');
    expect(doc.paths['/group/{id}/contacts/detach']?.post?.responses).toHaveProperty('422');
    expect(doc.paths['/groups/{id}']?.patch?.responses).toHaveProperty('409');
    expect(doc.paths['/groups']?.get?.responses['403']).toEqual({
      description: 'The key lacks the contacts:read scope',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    expect(doc.paths['/groups']?.post?.responses['403']).toEqual({
      description: 'The key lacks the contacts:write scope',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Group', 'GroupMembersRequest', 'GroupAttachResult']),
    );
  });
});
