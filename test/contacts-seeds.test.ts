// The reference platforms' example requests, as their docs print them, and the split-identity rule.
import { describe, expect, it } from 'vitest';
import {
  type ContactJson,
  type ErrorJson,
  getContactJson,
  issueFields,
  saveContact,
  send,
} from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

/** Seed 002 (eSputnik), "Subscribe contact": the request body exactly as printed. */
const esputnikSubscribe = {
  contact: {
    channels: [
      { type: 'email', value: 'mail@example.com' },
      { type: 'sms', value: '380942583691' },
    ],
    firstName: 'John',
    lastName: 'Smith',
    address: { town: 'London', region: 'West', address: 'First str. 1', postcode: '12345' },
    fields: [{ id: '12345', value: '...' }],
  },
  groups: ['Subscribers'],
  formType: 'abc',
};

/**
 * Seed 002, "Add contact" (POST /api/v1/contacts with one contact): the doc prints the Contact only
 * inside its bulk example, so this is `contacts[0]` of it as printed (note the numeric field id).
 */
const esputnikAddContact = {
  channels: [
    { type: 'email', value: 'mail@example.com' },
    { type: 'sms', value: '380942583691' },
  ],
  firstName: 'John',
  lastName: 'Smith',
  address: { town: 'London', region: 'West', address: 'First str. 1', postcode: '12345' },
  fields: [{ id: 12345, value: '...' }],
};

/**
 * Seed 000 (inwise), examples 1–3 as printed, except the group ids: 721129 and 715983 are groups
 * of inwise's account, so each test creates groups and puts their ids where those stood.
 */
const inwiseExample1 = (groupId: number) => ({
  id: 0,
  email: 'contact1@company.com',
  mobile_number: '972541111111',
  fields: [{ name: 'field1', content: 'test name' }],
  confirmation_status: 'confirmed',
  add_to_groups_ids: [groupId],
  remove_from_groups_ids: [0],
  remove_from_all_other_groups: true,
  clear_existing_fields: true,
  external_id: 'string',
});
const inwiseExample2 = (groupId: number) => ({
  email: 'contact1@company.com',
  mobile_number: '972541111111',
  fields: [
    { name: 'field1', content: 'fname1' },
    { name: 'field2', content: 'lname1' },
    { name: 'field21', content: '12/06/1980' },
  ],
  confirmation_status: 'confirmed',
  add_to_groups_ids: [groupId],
});
const inwiseExample3 = (groupId: number) => ({
  email: 'contact1@company.com',
  mobile_number: '972541111111',
  trim_mobile_number_leading_zero: true,
  add_default_country_to_mobile_number_only_if_not_exists: true,
  mobile_number_default_country_code: '972',
  fields: [
    { name: 'field1', content: 'fname1' },
    { name: 'field2', content: 'lname1' },
    { name: 'field21', content: '12/06/1980' },
  ],
  confirmation_status: 'confirmed',
  add_to_groups_ids: [groupId],
});

/** Seed 001 (ip1): the C# example's contact as JSON, with its `"lastName "` key as printed. */
const ip1Contact = {
  properties: {
    phoneNumber: '46712345678',
    email: 'icarus@example.com',
    firstName: 'Icarus',
    'lastName ': 'Sol',
    department: 'Sales',
  },
  labels: ['Coworker', 'Sales'],
};

describe.each(testDialects())('reference examples and split identities on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  const deleteAll = () => server.database.db.deleteFrom('contacts').execute();
  const groupNamed = async (name: string) =>
    Number(
      (
        await server.database.db
          .insertInto('groups')
          .values({ name, created_at: Date.now() })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );

  it('seed 002: the subscribe body as printed, then the add-contact body and PUT /contact/{id}', async () => {
    await deleteAll();
    const subscribed = await send(server, 'POST', '/contact/subscribe', esputnikSubscribe);
    expect(subscribed.status).toBe(200);
    const { id } = (await subscribed.json()) as { id: number };
    expect(await getContactJson(server, id)).toMatchObject({
      email: 'mail@example.com',
      phone: '+380942583691',
      firstName: 'John',
      lastName: 'Smith',
      address: { town: 'London', region: 'West', address: 'First str. 1', postcode: '12345' },
      fields: { '12345': '...' },
      status: 'unconfirmed',
      groups: ['Subscribers'],
    });
    const events = await server.database.db
      .selectFrom('events')
      .select('type')
      .where('contact_id', '=', id)
      .execute();
    expect(events.map((e) => e.type)).toEqual(['subscribeFromApi-abc']);

    const added = await send(server, 'POST', '/contacts', esputnikAddContact);
    expect(added.status).toBe(200);
    expect(await added.json()).toMatchObject({ action: 'updated', contact: { id } });
    await deleteAll();
    const fresh = await send(server, 'POST', '/contacts', esputnikAddContact);
    expect(fresh.status).toBe(201);
    const created = ((await fresh.json()) as { contact: ContactJson }).contact;
    expect(created).toMatchObject({ status: 'confirmed', phone: '+380942583691' });

    const put = await send(server, 'PUT', `/contact/${created.id}`, {
      ...esputnikAddContact,
      firstName: 'Johnny',
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ firstName: 'Johnny', email: 'mail@example.com' });
  });

  it('seed 000: inwise examples 1–3 create, then update, the same contact', async () => {
    await deleteAll();
    const first = await groupNamed('inwise 721129');
    const second = await groupNamed('inwise 715983');
    const one = await send(server, 'POST', '/contacts', inwiseExample1(first));
    expect(one.status).toBe(201);
    const created = ((await one.json()) as { contact: ContactJson }).contact;
    expect(created).toMatchObject({
      email: 'contact1@company.com',
      phone: '+972541111111',
      externalId: 'string',
      fields: { field1: 'test name' },
      status: 'confirmed',
      groups: ['inwise 721129'],
    });
    const two = await send(server, 'POST', '/contacts', inwiseExample2(second));
    expect(two.status).toBe(200);
    expect(await two.json()).toMatchObject({
      action: 'updated',
      contact: {
        id: created.id,
        fields: { field1: 'fname1', field2: 'lname1', field21: '12/06/1980' },
        groups: ['inwise 715983', 'inwise 721129'],
      },
    });
    const three = await send(server, 'POST', '/contacts', inwiseExample3(second));
    expect(three.status).toBe(200);
    expect(await three.json()).toMatchObject({
      contact: { id: created.id, phone: '+972541111111' },
    });
    const local = await saveContact(server, {
      ...inwiseExample3(second),
      email: 'contact2@company.com',
      mobile_number: '0541111112',
    });
    expect(local.phone).toBe('+972541111112');
  });

  it('seed 000: an inwise body hears about its own keys in errors', async () => {
    const res = await send(server, 'POST', '/contacts', {
      ...inwiseExample2(987_654_321),
      email: 'contact9@company.com',
    });
    expect(await issueFields(res)).toEqual(['add_to_groups_ids.0']);
    const phone = await send(server, 'POST', '/contacts', {
      email: 'contact9@company.com',
      mobile_number: '12',
    });
    expect(await issueFields(phone)).toEqual(['mobile_number']);
    const status = await send(server, 'POST', '/contacts', {
      email: 'contact9@company.com',
      confirmation_status: 'maybe',
    });
    expect(await issueFields(status)).toEqual(['confirmation_status']);
    const mixed = await send(server, 'POST', '/contacts', {
      mobile_number: '972541111119',
      tags: [],
    });
    expect(await issueFields(mixed)).toEqual(['tags']);
  });

  it("seed 001: ip1's contact document as printed", async () => {
    await deleteAll();
    const res = await send(server, 'POST', '/contacts', ip1Contact);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      action: 'created',
      contact: {
        phone: '+46712345678',
        phoneMeta: { isPossible: true, msisdn: '46712345678' },
        email: 'icarus@example.com',
        firstName: 'Icarus',
        lastName: 'Sol',
        fields: { department: 'Sales' },
        tags: ['Coworker', 'Sales'],
        status: 'confirmed',
      },
    });
    const bad = await send(server, 'POST', '/contacts', {
      properties: { phoneNumber: '12', email: 'nope' },
    });
    expect((await issueFields(bad)).sort()).toEqual(['properties.email', 'properties.phoneNumber']);
  });

  it('answers 422 naming both contacts when an email and a phone belong to two, on POST, PATCH, PUT and subscribe', async () => {
    await deleteAll();
    const a = await saveContact(server, { email: 'split-a@example.com' });
    const b = await saveContact(server, { phone: '+380942583693' });
    const c = await saveContact(server, { email: 'split-c@example.com' });
    const both = { email: 'split-a@example.com', phone: '+380942583693' };
    const conflict = async (res: Response) => {
      expect(res.status).toBe(422);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe('identity_conflict');
      return body.error.contactIds;
    };
    expect(await conflict(await send(server, 'POST', '/contacts', both))).toEqual([a.id, b.id]);
    expect(
      await conflict(
        await send(server, 'POST', '/contacts', {
          email: 'split-a@example.com',
          mobile_number: '380942583693',
        }),
      ),
    ).toEqual([a.id, b.id]);
    expect(await conflict(await send(server, 'PATCH', `/contacts/${c.id}`, both))).toEqual([
      c.id,
      a.id,
      b.id,
    ]);
    expect(await conflict(await send(server, 'PUT', `/contacts/${c.id}`, both))).toEqual([
      c.id,
      a.id,
      b.id,
    ]);
    const subscribe = await send(server, 'POST', '/contact/subscribe', {
      contact: {
        channels: [
          { type: 'email', value: 'split-a@example.com' },
          { type: 'sms', value: '380942583693' },
        ],
      },
    });
    expect(await conflict(subscribe)).toEqual([a.id, b.id]);
    // Nothing changed: each contact keeps its own identity.
    expect((await getContactJson(server, c.id)).email).toBe('split-c@example.com');
    expect((await getContactJson(server, b.id)).email).toBeNull();
  });
});
