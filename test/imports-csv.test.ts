// CSV imports: seed 000's batchInsert example, BOM, `;`, quotes, CRLF, mapping, multipart, bad rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContactJson, issueFields, send } from './helpers/contacts.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { finishedImport, type ImportJson } from './helpers/imports.ts';
import { startTestServer, TEST_API_KEY, type TestServer } from './helpers/server.ts';

/** Seed 000's `csv_file`, as printed (note `fname1  `). */
const SEED_000_CSV = `Email,Mobile,Firstname,Lastname
contact1@company.com,0541111111,fname1  ,lname1
contact2@company.com,0541111112,fname2,lname2
`;

describe.each(testDialects())('CSV import on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function importCsv(body: object): Promise<ImportJson> {
    const res = await send(server, 'POST', '/imports', body);
    const answer = (await res.json()) as { id: number };
    expect(res.status, JSON.stringify(answer)).toBe(202);
    return finishedImport(server.url, answer.id);
  }
  const byEmail = async (email: string) =>
    (
      (await (
        await send(server, 'GET', `/contacts?email=${encodeURIComponent(email)}`)
      ).json()) as { items: ContactJson[] }
    ).items[0];

  it("imports seed 000's batchInsert file with its mapping, country code 972 and leading-zero trimming", async () => {
    const done = await importCsv({
      csv: SEED_000_CSV,
      mapping: { email: 'Email', phone: 'Mobile', firstName: 'Firstname', lastName: 'Lastname' },
      groups: ['Seed000'],
      updateExisting: true,
      defaultCountry: '972',
      trimLeadingZero: true,
    });
    expect(done).toMatchObject({ status: 'done', total: 2, created: 2, failed: 0 });
    expect(await byEmail('contact1@company.com')).toMatchObject({
      phone: '+972541111111',
      firstName: 'fname1',
      lastName: 'lname1',
      status: 'confirmed',
      groups: ['Seed000'],
    });
    expect((await byEmail('contact2@company.com'))?.phone).toBe('+972541111112');
  });

  it("takes seed 000's batchInsert body as printed (inwise's keys), its group by id", async () => {
    const group = (await (
      await send(server, 'POST', '/groups', { name: 'Inwise batch' })
    ).json()) as { id: number };
    const body = {
      // Other addresses and numbers than the test above imported, else they would be updates.
      csv_file: SEED_000_CSV.replace(/contact(\d)@/g, 'inwise$1@').replace(/05411/g, '05422'),
      fields_mapping: [
        { field_name: '[Email]', file_column_name: 'Email' },
        { field_name: '[MobileNumber]', file_column_name: 'Mobile' },
        { field_name: '1', file_column_name: 'Firstname' },
        { field_name: '2', file_column_name: 'Lastname' },
      ],
      group_id: String(group.id),
      updateExistingContacts: true,
      country_code: '972',
      trim_leading_zero: true,
    };
    const done = await importCsv(body);
    expect(done).toMatchObject({ status: 'done', created: 2, failed: 0 });
    expect(await byEmail('inwise1@company.com')).toMatchObject({
      phone: '+972542211111',
      fields: { '1': 'fname1', '2': 'lname1' },
      groups: ['Inwise batch'],
    });
    const unknown = await send(server, 'POST', '/imports', { ...body, group_id: '999999' });
    expect(await issueFields(unknown)).toEqual(['groupIds.0']);
    expect(
      await issueFields(await send(server, 'POST', '/imports', { ...body, group_id: 'XXXXXX' })),
    ).toEqual(['group_id']);
  });

  it('reads a BOM, `;`, quoted fields and CRLF; columns by header name, the rest as fields', async () => {
    const csv =
      '\uFEFFE-Mail;First Name;Plan;Note\r\n' +
      ' semi1@example.com ; Ann ;pro;"says ""hi""; twice"\r\n' +
      'semi2@example.com;"Bob";basic;"two\r\nlines"\r\n';
    const done = await importCsv({ csv });
    expect(done).toMatchObject({ total: 2, created: 2, failed: 0 });
    expect(await byEmail('semi1@example.com')).toMatchObject({
      firstName: 'Ann',
      fields: { Plan: 'pro', Note: 'says "hi"; twice' },
    });
    expect((await byEmail('semi2@example.com'))?.fields).toEqual({
      Plan: 'basic',
      Note: 'two\r\nlines',
    });
  });

  it('fails bad rows alone, naming the column; a repeat updates; updateExisting false skips', async () => {
    const fields = await send(server, 'POST', '/fields', { key: 'seats', type: 'number' });
    expect(fields.status).toBe(201);
    const csv = [
      'Email,Mobile,Seats',
      'rows1@example.com,+380501234001,3',
      'not-an-email,+380501234002,3',
      'rows3@example.com,12,3',
      'rows4@example.com,+380501234004,many',
      'rows5@example.com,+380501234005',
      'rows6@example.com,+380501234006,4',
    ].join('\n');
    const first = await importCsv({
      csv,
      mapping: { email: 'Email', phone: 'Mobile', 'fields.seats': 'Seats' },
    });
    expect(first).toMatchObject({ total: 6, created: 2, updated: 0, failed: 4 });
    expect(first.failedContacts).toEqual([
      {
        index: 1,
        reason: 'Email: must be a valid email address',
        contact: { Email: 'not-an-email', Mobile: '+380501234002', Seats: '3' },
      },
      {
        index: 2,
        reason: expect.stringMatching(/^Mobile: is not a possible phone number/),
        contact: expect.any(Object),
      },
      { index: 3, reason: 'Seats: must be a number', contact: expect.any(Object) },
      { index: 4, reason: 'the row has 2 columns, the header 3', contact: expect.any(Object) },
    ]);
    expect((await byEmail('rows1@example.com'))?.fields).toEqual({ seats: 3 });
    const again = await importCsv({
      csv,
      mapping: { email: 'Email', phone: 'Mobile', 'fields.seats': 'Seats' },
    });
    expect(again).toMatchObject({ created: 0, updated: 2, failed: 4 });
    const skipped = await importCsv({ csv, updateExisting: false, mapping: { email: 'Email' } });
    // Only Email is read now: rows 3 and 4 are new (their bad phone and seats are not read).
    expect(skipped).toMatchObject({ created: 2, updated: 0, skipped: 2, failed: 2 });
  });

  it('takes a multipart upload with options as JSON', async () => {
    const form = new FormData();
    form.set(
      'file',
      new Blob(['email,phone\nmulti1@example.com,+380501234101\n'], { type: 'text/csv' }),
      'list.csv',
    );
    form.set('options', JSON.stringify({ groups: ['Uploaded'], status: 'unconfirmed' }));
    const res = await fetch(`${server.url}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const done = await finishedImport(server.url, ((await res.json()) as { id: number }).id);
    expect(done).toMatchObject({ kind: 'csv', created: 1, failed: 0 });
    expect(await byEmail('multi1@example.com')).toMatchObject({
      status: 'unconfirmed',
      groups: ['Uploaded'],
    });
  });

  it('refuses a file it cannot import with 422 naming the field, storing nothing', async () => {
    const before = await server.database.db.selectFrom('imports').select('id').execute();
    expect(
      await issueFields(
        await send(server, 'POST', '/imports', {
          csv: 'Email\na@example.com',
          mapping: { email: 'Mail' },
        }),
      ),
    ).toEqual(['mapping.email']);
    expect(
      await issueFields(await send(server, 'POST', '/imports', { csv: 'Name,Town\nAnn,Kyiv' })),
    ).toEqual(['csv']);
    expect(
      await issueFields(
        await send(server, 'POST', '/imports', { csv: 'Email\n"unclosed@example.com\n' }),
      ),
    ).toEqual(['csv']);
    expect(
      await issueFields(
        await send(server, 'POST', '/imports', {
          csv: 'Email\nx@example.com',
          mapping: { nickname: 'Email' },
        }),
      ),
    ).toEqual(['mapping.nickname']);
    expect(await issueFields(await send(server, 'POST', '/imports', {}))).toEqual(['csv']);
    const form = new FormData();
    form.set('file', new Blob(['email\nq@example.com\n']), 'q.csv');
    form.set('options', '{"groups": 3}');
    const res = await fetch(`${server.url}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
      body: form,
    });
    expect(await issueFields(res)).toEqual(['options.groups']);
    expect(await server.database.db.selectFrom('imports').select('id').execute()).toEqual(before);
  });
});
