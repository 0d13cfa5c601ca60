// The generic feedback webhook names the field a bad body got wrong, in one event or in `events`.
import { describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

describe.each(testDialects())('feedback webhook input on %s', (dialect) => {
  const server = serverPerSuite(dialect);
  const post = async (body: unknown) => {
    const res = await server.api('/api/v1/webhooks/mail-feedback', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error: { message: string } } };
  };

  it.each([
    ['an address that is none', { type: 'bounce', email: 'nope' }, /^email: /],
    ['an unknown type', { type: 'bonce', email: 'a@example.org' }, /^type: /],
    [
      'too many events',
      { events: Array(501).fill({ type: 'delivered', email: 'a@example.org' }) },
      /^events: /,
    ],
    [
      'a bad event in the list',
      { events: [{ type: 'bounce', email: 'a@example.org', bounceType: 'x' }] },
      /^events\.0\.bounceType: /,
    ],
  ])('%s is a 422 naming the field', async (_, body, named) => {
    const answer = await post(body);
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toMatch(named);
  });

  it('and nothing was recorded', async () => {
    const list = await server.api('/api/v1/activities');
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
