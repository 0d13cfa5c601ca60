// A receiver's Retry-After, however large, must give a due time the store can hold.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../definition/compile.ts';
import type { StepInstruction } from '../definition/types.ts';
import { failureOutcome } from '../step-records.ts';
import type { StepVisit } from '../step-visit.ts';
import { callWebhook } from './webhook.ts';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(503, { 'Retry-After': '99999999999999999999' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('retries a 503 with a huge Retry-After at a time a Date (and a bigint) holds', async () => {
  const thrown = await callWebhook({
    url: `${base}/`,
    method: 'POST',
    headers: {},
    timeoutMs: 2000,
    secret: 'whsec_test',
    idempotencyKey: 'run-1:step-1',
    allowPrivate: true,
  }).catch((err: unknown) => err);
  const ins = { id: 'hook', op: 'webhook', retry: DEFAULT_RETRY } as unknown as StepInstruction;
  const outcome = failureOutcome(ins, { attempts: 1 } as StepVisit, thrown);
  expect(outcome.kind).toBe('retry');
  // due_at = now + delayMs: past 2^63 PostgreSQL refuses the run's every write (it stays claimed,
  // and the webhook is called again at each lease's end, its attempts never counted).
  const delayMs = outcome.kind === 'retry' ? outcome.delayMs : 0;
  expect(Date.now() + delayMs).toBeLessThanOrEqual(8.64e15);
});
