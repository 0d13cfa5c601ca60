// GET /v1/forms/:formId/challenge: a fresh proof-of-work challenge for the widget to solve.
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { getForm } from '../forms/forms-store.ts';
import { issueChallenge } from './challenge-token.ts';

export function challengeRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { db, config, secretKey } = deps;

  app.get('/v1/forms/:formId/challenge', async (c) => {
    const form = await getForm(db, c.req.param('formId'));
    const { token, challenge } = issueChallenge(secretKey, {
      formId: form.id,
      difficulty: config.CHALLENGE_DIFFICULTY,
      ttlMs: config.timings.challengeTtlMs,
      now: Date.now(),
    });
    // Public like the definition, but each answer is single-use: no cache may hand it to another.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'no-store');
    return c.json({
      challenge: token,
      salt: challenge.salt,
      difficulty: challenge.difficulty,
      expiresAt: new Date(challenge.expiresAt).toISOString(),
    });
  });

  return app;
}
