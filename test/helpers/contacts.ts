// Calls to the contacts API that contacts tests share: create, read, and the JSON they answer.
import { expect } from 'vitest';
import type { TestServer } from './server.ts';

export interface ContactJson {
  id: number;
  email: string | null;
  phone: string | null;
  phoneMeta: Record<string, unknown> | null;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  address: Record<string, string> | null;
  fields: Record<string, unknown>;
  status: string;
  source: string;
  groups: string[];
  pendingGroups: string[];
  tags: string[];
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface ErrorJson {
  error: { code: string; message: string; issues?: { field: string }[]; contactIds?: number[] };
}

/** A request with a JSON body (or none), authenticated with the test's bootstrap key. */
export function send(server: TestServer, method: string, path: string, body?: unknown) {
  return server.api(`/api/v1${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** POST /contacts that must answer 201 or 200; the contact it answers. */
export async function saveContact(server: TestServer, body: unknown): Promise<ContactJson> {
  const res = await send(server, 'POST', '/contacts', body);
  const answer = (await res.json()) as { contact: ContactJson };
  expect([200, 201], JSON.stringify(answer)).toContain(res.status);
  return answer.contact;
}

export async function getContactJson(server: TestServer, id: number): Promise<ContactJson> {
  const res = await send(server, 'GET', `/contacts/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ContactJson;
}

/** The fields a 422 names. */
export async function issueFields(res: Response): Promise<string[]> {
  expect(res.status).toBe(422);
  const body = (await res.json()) as ErrorJson;
  return (body.error.issues ?? []).map((i) => i.field);
}
