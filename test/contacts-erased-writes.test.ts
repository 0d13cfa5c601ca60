// An erased contact stays erased: PATCH and PUT cannot give its row personal data or a live status again.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ContactJson, type ErrorJson, saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

describe.each(testDialects())('writes to an erased contact on %s', (dialect) => {
  const server = serverPerSuite(dialect);
  const email = () => `erased-${randomBytes(4).toString('hex')}@example.com`;

  async function erased(): Promise<number> {
    const { id } = await saveContact(server, { email: email(), firstName: 'Gone' });
    expect((await send(server, 'DELETE', `/contacts/${id}?erase=true`)).status).toBe(200);
    return id;
  }

  /** The contact must still be erased: deleted, with nothing that identifies a person. */
  async function stillErased(id: number) {
    const res = await send(server, 'GET', `/contacts/${id}`);
    const contact = (await res.json()) as ContactJson;
    expect(contact).toMatchObject({ status: 'deleted', email: null, firstName: null });
    expect((await send(server, 'POST', `/contacts/${id}/restore`)).status).toBe(409);
  }

  it('refuses a PATCH with a status and an email (it restored the erased contact as confirmed)', async () => {
    const id = await erased();
    const res = await send(server, 'PATCH', `/contacts/${id}`, {
      email: email(),
      status: 'confirmed',
    });
    const body = (await res.json()) as ErrorJson;
    expect(res.status, JSON.stringify(body)).toBe(409);
    expect(body.error.message).toContain('erased');
    await stillErased(id);
  });

  it('refuses a PUT (it gave the erased row an email, after which restore brought it back)', async () => {
    const id = await erased();
    const res = await send(server, 'PUT', `/contacts/${id}`, { email: email(), firstName: 'New' });
    expect(res.status).toBe(409);
    await stillErased(id);
  });
});
