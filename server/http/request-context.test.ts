import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.ts';
import { errorHandler } from './error-handler.ts';
import { requestContext } from './request-context.ts';

function appWithLogSink() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = new Hono();
  app.onError(errorHandler(logger));
  app.use('*', requestContext(logger));
  app.get('/log', (c) => {
    c.get('logger').info('handled');
    return c.text('ok');
  });
  app.get('/missing', () => {
    throw new NotFoundError('contact 7 not found');
  });
  app.get('/boom', () => {
    throw new Error('secret connection string in here');
  });
  return { app, lines };
}

describe('request context', () => {
  it('names the request id in the response header and in every log line of the request', async () => {
    const { app, lines } = appWithLogSink();
    const res = await app.request('/log');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual([expect.objectContaining({ msg: 'handled', requestId: id })]);
  });

  it('maps a domain error by its code, with the request id in header and body', async () => {
    const { app } = appWithLogSink();
    const res = await app.request('/missing');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toEqual({
      code: 'not_found',
      message: 'contact 7 not found',
      requestId: res.headers.get('x-request-id'),
    });
  });

  it('answers an unknown error with a bare 500 and logs it under the request id', async () => {
    const { app, lines } = appWithLogSink();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    const id = res.headers.get('x-request-id');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'internal', message: 'Internal server error', requestId: id },
    });
    expect(lines).toEqual([expect.objectContaining({ msg: 'request failed', requestId: id })]);
  });
});
