// A default country no country has (`999`, `0`, `+999`, `XX`) is a 422 naming the option, on every route.
import { describe, expect, it } from 'vitest';
import { type ErrorJson, saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { serverPerSuite } from './helpers/server.ts';

const UNKNOWN = ['999', '0', '+999', 'XX'];

describe.each(testDialects())('phone options on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  /** The request must be a 422 naming `field` and nothing else, and write nothing. */
  async function expectRefused(request: () => Promise<Response>, field: string) {
    const before = await rowCounts(server.database.db);
    const res = await request();
    const body = (await res.json()) as ErrorJson;
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.error.issues?.map((i) => i.field)).toEqual([field]);
    expect(await rowCounts(server.database.db)).toEqual(before);
  }

  it('refuses an unknown default country on POST, PATCH and PUT /contacts', async () => {
    const contact = await saveContact(server, { email: 'options@example.com' });
    for (const defaultCountry of UNKNOWN) {
      const body = { phone: '0541111111', defaultCountry };
      await expectRefused(
        () => send(server, 'POST', '/contacts', { ...body, email: 'x@example.com' }),
        'defaultCountry',
      );
      await expectRefused(
        () => send(server, 'PATCH', `/contacts/${contact.id}`, body),
        'defaultCountry',
      );
      await expectRefused(
        () => send(server, 'PUT', `/contacts/${contact.id}`, body),
        'defaultCountry',
      );
    }
  });

  it('names inwise’s own key, given as text or as a number', async () => {
    for (const code of [...UNKNOWN, 999, 0]) {
      await expectRefused(
        () =>
          send(server, 'POST', '/contacts', {
            email: 'inwise@example.com',
            mobile_number: '0541111111',
            mobile_number_default_country_code: code,
          }),
        'mobile_number_default_country_code',
      );
    }
  });

  it('refuses one on the list filter, the API subscribe and events', async () => {
    for (const defaultCountry of UNKNOWN) {
      await expectRefused(
        () =>
          send(
            server,
            'GET',
            `/contacts?phone=0541111111&defaultCountry=${encodeURIComponent(defaultCountry)}`,
          ),
        'defaultCountry',
      );
      await expectRefused(
        () =>
          send(server, 'POST', '/contact/subscribe', {
            contact: { channels: [{ type: 'sms', value: '0541111111' }] },
            defaultCountry,
          }),
        'defaultCountry',
      );
      await expectRefused(
        () =>
          send(server, 'POST', '/events', {
            type: 'orderPaid',
            phone: '0541111111',
            defaultCountry,
          }),
        'defaultCountry',
      );
    }
  });

  it('still reads a local number with a real calling code or ISO country', async () => {
    const byCode = await saveContact(server, {
      email: 'local@example.com',
      phone: '0541111111',
      defaultCountry: '+972',
      trimLeadingZero: true,
    });
    expect(byCode.phone).toBe('+972541111111');
    const res = await send(server, 'GET', '/contacts?phone=0541111111&defaultCountry=IL');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: { id: number }[] }).items.map((c) => c.id)).toEqual([
      byCode.id,
    ]);
  });
});
