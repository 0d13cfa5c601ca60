// The public subscribe's proof of work: required per form (on, or adaptive under abnormal rates),
// single-use, expiring, bound to its form — on each dialect.
import { afterEach, describe, expect, it } from 'vitest';
import { issueChallenge } from '../server/bot-defence/challenge-token.ts';
import { solves } from '../server/bot-defence/proof-of-work.ts';
import type { Timings } from '../server/config.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { fetchChallenge, solve, solvedProof } from './helpers/proof-of-work.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const SECRET_KEY = 'bot-defence-test-secret-key-0123456789';

interface ErrorAnswer {
  error: { code: string; message: string };
}

describe.each(testDialects())('bot defence on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  const start = async (env: Record<string, string> = {}, timings: Partial<Timings> = {}) => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url, SECRET_KEY, ...env }, timings);
    return server;
  };

  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  const setChallenge = async (challenge: 'on' | 'off' | 'adaptive', formId = 'newsletter') => {
    const res = await server.api(`/api/v1/forms/${formId}`, {
      method: 'PATCH',
      body: JSON.stringify({ botDefence: { challenge } }),
    });
    expect(res.status).toBe(200);
  };

  const refusal = async (res: Response) => {
    expect(res.status).toBe(403);
    return ((await res.json()) as ErrorAnswer).error;
  };

  it('with the challenge on, refuses a scripted client without a solution and stores nothing', async () => {
    await start();
    await setChallenge('on');
    const definition = await (await fetch(`${server.url}/v1/forms/newsletter`)).json();
    expect(definition).toMatchObject({ botDefence: { challenge: 'on', turnstileSiteKey: null } });
    const before = await rowCounts(server.database.db);

    const error = await refusal(await server.subscribe('newsletter', { email: 'ann@example.com' }));
    expect(error.code).toBe('bot_check_failed');
    expect(error.message).toContain('GET /v1/forms/newsletter/challenge');
    expect(await rowCounts(server.database.db)).toEqual(before);

    const proof = await solvedProof(server.url, 'newsletter');
    const res = await server.subscribe('newsletter', { email: 'ann@example.com', ...proof });
    expect(res.status).toBe(202);
    expect((await rowCounts(server.database.db)).contacts).toBe((before.contacts ?? 0) + 1);
  });

  it('serves each challenge once, uncached, and accepts only its solution', async () => {
    await start();
    await setChallenge('on');
    const res = await fetch(`${server.url}/v1/forms/newsletter/challenge`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const a = await fetchChallenge(server.url, 'newsletter');
    const b = await fetchChallenge(server.url, 'newsletter');
    expect(a.challenge).not.toBe(b.challenge);
    expect(a.difficulty).toBe(13);
    expect(Date.parse(a.expiresAt)).toBeGreaterThan(Date.now());

    // A number that does not solve it (almost every number): one hash tells.
    let wrong = 0;
    while (solves(a.salt, String(wrong), a.difficulty)) wrong++;
    const unsolved = await server.subscribe('newsletter', {
      email: 'wrong@example.com',
      _challenge: a.challenge,
      _solution: String(wrong),
    });
    expect((await refusal(unsolved)).message).toBe('_solution does not solve _challenge');

    const forged = a.challenge.replace(a.salt, b.salt);
    const forgedRes = await server.subscribe('newsletter', {
      email: 'forged@example.com',
      _challenge: forged,
      _solution: solve(b.salt, b.difficulty),
    });
    expect((await refusal(forgedRes)).message).toBe(
      '_challenge is not a challenge this server issued',
    );
  });

  it('refuses a replayed solution', async () => {
    await start();
    await setChallenge('on');
    const proof = await solvedProof(server.url, 'newsletter');
    expect(
      (await server.subscribe('newsletter', { email: 'first@example.com', ...proof })).status,
    ).toBe(202);
    const replay = await server.subscribe('newsletter', { email: 'second@example.com', ...proof });
    expect((await refusal(replay)).message).toContain('used already');
    const contacts = await server.database.db.selectFrom('contacts').select('email').execute();
    expect(contacts.map((c) => c.email)).toEqual(['first@example.com']);
  });

  it('lets exactly one of two concurrent posts with one solution through', async () => {
    await start();
    await setChallenge('on');
    const proof = await solvedProof(server.url, 'newsletter');
    const answers = await Promise.all(
      ['race1@example.com', 'race2@example.com', 'race3@example.com'].map((email) =>
        server.subscribe('newsletter', { email, ...proof }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([202, 403, 403]);
  });

  it('refuses an expired challenge', async () => {
    await start();
    await setChallenge('on');
    const ttlMs = 60_000;
    const { token, challenge } = issueChallenge(SECRET_KEY, {
      formId: 'newsletter',
      difficulty: 8,
      ttlMs,
      now: Date.now() - ttlMs - 1,
    });
    const res = await server.subscribe('newsletter', {
      email: 'late@example.com',
      _challenge: token,
      _solution: solve(challenge.salt, challenge.difficulty),
    });
    expect((await refusal(res)).message).toBe(
      '_challenge has expired: get a new one from GET /v1/forms/newsletter/challenge',
    );
  });

  it('refuses a solution for another form', async () => {
    await start();
    const created = await server.api('/api/v1/forms', {
      method: 'POST',
      body: JSON.stringify({ id: 'other', name: 'Other', botDefence: { challenge: 'on' } }),
    });
    expect(created.status).toBe(201);
    await setChallenge('on');
    const proof = await solvedProof(server.url, 'other');
    const res = await server.subscribe('newsletter', { email: 'cross@example.com', ...proof });
    expect((await refusal(res)).message).toBe(
      '_challenge was issued for another form, not newsletter',
    );
    // Unspent by the refusal: still good on its own form.
    expect((await server.subscribe('other', { email: 'cross@example.com', ...proof })).status).toBe(
      202,
    );
  });

  it('with the challenge off, accepts scripted posts as before, whatever the rate', async () => {
    await start({ CHALLENGE_FORM_RATE: '1' }, { challengeRateCacheMs: 0 });
    await setChallenge('off');
    for (const email of ['off1@example.com', 'off2@example.com', 'off3@example.com'])
      expect((await server.subscribe('newsletter', { email })).status).toBe(202);
  });

  it('adaptive: accepts posts without a solution while the form is calm, requires one once it is busy', async () => {
    await start({ CHALLENGE_FORM_RATE: '3' }, { challengeRateCacheMs: 0 });
    const definition = await (await fetch(`${server.url}/v1/forms/newsletter`)).json();
    expect(definition).toMatchObject({ botDefence: { challenge: 'adaptive' } });
    for (const email of ['calm1@example.com', 'calm2@example.org', 'calm3@example.net'])
      expect((await server.subscribe('newsletter', { email })).status).toBe(202);
    const busy = await server.subscribe('newsletter', { email: 'busy@example.com' });
    expect((await refusal(busy)).message).toContain('requires a proof of work at the moment');
    const proof = await solvedProof(server.url, 'newsletter');
    const proven = await server.subscribe('newsletter', { email: 'busy@example.com', ...proof });
    expect(proven.status).toBe(202);
  });

  it('adaptive: requires a solution for a mail domain that got many confirmations lately', async () => {
    await start({ CHALLENGE_DOMAIN_RATE: '2' }, { challengeRateCacheMs: 0 });
    for (const email of ['a@flood.example', 'b@flood.example'])
      expect((await server.subscribe('newsletter', { email })).status).toBe(202);
    await refusal(await server.subscribe('newsletter', { email: 'c@flood.example' }));
    expect((await server.subscribe('newsletter', { email: 'c@calm.example' })).status).toBe(202);
  });

  it('documents the setting in the forms resource of the OpenAPI document', async () => {
    await start();
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(doc.components.schemas.Form?.properties.botDefence).toMatchObject({
      properties: {
        challenge: { enum: ['off', 'on', 'adaptive'], default: 'adaptive' },
        turnstileSiteKey: { default: null },
      },
    });
  });

  it('answers a plain form (no JavaScript) with a page that says what to do when a proof is required', async () => {
    await start({ CHALLENGE_FORM_RATE: '1' }, { challengeRateCacheMs: 0 });
    const post = (email: string) =>
      fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ email }),
      });
    const calm = await post('plain1@example.com');
    expect(calm.status).toBe(202);
    expect(await calm.text()).toContain('check your inbox');
    const busy = await post('plain2@example.com');
    expect(busy.status).toBe(403);
    expect(busy.headers.get('content-type')).toContain('text/html');
    expect(await busy.text()).toContain('This form needs JavaScript at the moment');
  });
});
