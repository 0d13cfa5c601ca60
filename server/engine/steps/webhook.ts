// One attempt of a workflow `webhook` step: a signed, SSRF-guarded HTTP request with a deadline.
//
// The runtime renders templates, retries (using `WebhookError.retryable`) and records results;
// this module only sends one request and classifies how it ended.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { assertPublicIp, BlockedAddressError, guardedLookup } from './address-guard.ts';
import { SIGNATURE_HEADER, signPayload } from './signature.ts';

export { SIGNATURE_HEADER, signPayload, verifySignature } from './signature.ts';

export interface WebhookCall {
  /** Already interpolated. */
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** User headers, already interpolated. */
  headers: Record<string, string>;
  /** JSON-serialised when present; never sent with GET. */
  body?: unknown;
  /** Deadline for the whole request, from connecting to the last byte of the response. */
  timeoutMs: number;
  /** HMAC-SHA256 key for the signature header. */
  secret: string;
  /** Derived by the runtime from run + step, so every retry carries the same key. */
  idempotencyKey: string;
  /** Config: allow loopback and private targets. */
  allowPrivate: boolean;
}

export interface WebhookResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, else text; cut at 64 KiB (a cut body is returned as text). */
  body: unknown;
}

/** How an attempt failed; `retryable` tells the runtime whether another attempt can help. */
export class WebhookError extends Error {
  override name = 'WebhookError';
  readonly retryable: boolean;
  readonly status?: number;
  /** From `Retry-After` on a 429 or 503, when the receiver sent one. */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    opts: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

export const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'Subflow-Webhook/1';
// Set by Subflow or by the HTTP client itself; a user's copy is dropped, never merged.
const RESERVED_HEADERS = new Set([
  SIGNATURE_HEADER.toLowerCase(),
  'idempotency-key',
  'user-agent',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function permanent(message: string, cause?: unknown): WebhookError {
  return new WebhookError(message, { retryable: false, cause });
}

function parseTarget(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw permanent(`webhook url is not a valid URL: ${JSON.stringify(raw)}`, cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw permanent(`webhook url must use http: or https:, got ${url.protocol}`);
  }
  // `lookup` is skipped for IP literals, so they are checked here. The URL parser has already
  // normalised odd spellings (0x7f.1, 2130706433) to dotted quads.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!allowPrivate && net.isIP(host)) {
    try {
      assertPublicIp(host);
    } catch (blocked) {
      throw permanent((blocked as Error).message, blocked);
    }
  }
  return url;
}

function buildHeaders(call: WebhookCall, payload: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (!HEADER_NAME.test(name))
      throw permanent(`webhook header name ${JSON.stringify(name)} is invalid`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = value;
  }
  headers[SIGNATURE_HEADER] = signPayload(
    call.secret,
    Math.floor(Date.now() / 1000),
    payload ?? '',
  );
  headers['Idempotency-Key'] = call.idempotencyKey;
  headers['User-Agent'] = USER_AGENT;
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  // CR/LF would let a template value smuggle extra headers or a second request.
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n\0]/.test(value)) throw permanent(`webhook header ${name} contains CR, LF or NUL`);
  }
  return headers;
}

function serialiseBody(call: WebhookCall): string | undefined {
  if (call.method === 'GET' || call.body === undefined) return undefined;
  let payload: string | undefined;
  try {
    payload = JSON.stringify(call.body);
  } catch (cause) {
    throw permanent(
      `webhook body cannot be serialised as JSON: ${(cause as Error).message}`,
      cause,
    );
  }
  if (payload === undefined) throw permanent('webhook body cannot be serialised as JSON');
  return payload;
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseBody(bytes: Buffer, truncated: boolean): unknown {
  const text = bytes.toString('utf8');
  if (truncated || text.trim() === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The most patience a receiver can ask for: its number is only bounded by its digits, and a due
 * time past 2^63 ms could not be written (PostgreSQL), leaving the run claimed and re-called.
 */
const MAX_RETRY_AFTER_MS = 7 * 86_400_000;

/** `Retry-After` as milliseconds: either delay-seconds or an HTTP date; a week at most. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(MAX_RETRY_AFTER_MS, Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - Date.now()));
}

function classify(result: WebhookResult): WebhookResult {
  const { status } = result;
  if (status >= 200 && status < 300) return result;
  if (status >= 300 && status < 400) {
    // Following would send the signed body somewhere the author did not write (and past the SSRF
    // check); recording it as done would hide that the receiver never saw the call.
    const location = result.headers.location;
    throw permanent(
      `webhook answered ${status} (a redirect${location ? ` to ${location}` : ''}); redirects are not followed: use the final URL in the workflow`,
    );
  }
  const snippet = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  const message = `webhook answered ${status}${snippet ? `: ${snippet.slice(0, 200)}` : ''}`;
  // 429 and 5xx are the receiver saying "later"; other 4xx will not change on a retry.
  const retryable = status === 429 || status >= 500;
  const wait = status === 429 || status === 503 ? result.headers['retry-after'] : undefined;
  throw new WebhookError(message, { retryable, status, retryAfterMs: retryAfterMs(wait) });
}

/**
 * Sends one webhook request. Resolves for 2xx; rejects with a WebhookError otherwise, a 3xx
 * included (redirects are not followed).
 *
 * @example await callWebhook({ url, method: 'POST', headers: {}, body, timeoutMs: 10_000, secret,
 *   idempotencyKey: `${runId}:${stepId}`, allowPrivate: false })
 */
export async function callWebhook(call: WebhookCall): Promise<WebhookResult> {
  if (!(call.timeoutMs > 0)) {
    throw permanent(`webhook timeoutMs must be positive, got ${call.timeoutMs}`);
  }
  if (!call.secret) {
    // An empty HMAC key would give receivers a signature that anyone can forge.
    throw permanent('webhook secret is empty; refusing to send an unsigned request');
  }
  const url = parseTarget(call.url, call.allowPrivate);
  const payload = serialiseBody(call);
  const headers = buildHeaders(call, payload);
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<WebhookResult>((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown, result?: WebhookResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Frees the socket whether we finished, failed or stopped reading at the size cap.
      req.destroy();
      if (err) reject(err);
      else if (result) resolve(result);
    };
    const timer = setTimeout(() => {
      const msg = `webhook timed out after ${call.timeoutMs} ms (${call.method} ${url.origin})`;
      settle(new WebhookError(msg, { retryable: true }));
    }, call.timeoutMs);

    let req: http.ClientRequest;
    try {
      req = client.request(url, {
        method: call.method,
        headers,
        // A fresh connection per attempt: a pooled socket could have been opened under another
        // allowPrivate setting, and every attempt should resolve and check the host again.
        agent: false,
        ...(call.allowPrivate ? {} : { lookup: guardedLookup() }),
      });
    } catch (cause) {
      clearTimeout(timer);
      throw permanent(`webhook request could not be built: ${(cause as Error).message}`, cause);
    }

    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof BlockedAddressError) return settle(permanent(err.message, err));
      const what = err.code ? `${err.code} ${err.message}` : err.message;
      settle(new WebhookError(`webhook request failed: ${what}`, { retryable: true, cause: err }));
    });

    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (truncated: boolean) => {
        if (settled) return;
        const bytes = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES);
        const result = {
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res.headers),
          body: parseBody(bytes, truncated),
        };
        try {
          settle(null, classify(result));
        } catch (err) {
          settle(err);
        }
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // One byte past the cap proves the body was cut; stop reading there.
        if (size > MAX_RESPONSE_BYTES) done(true);
      });
      res.on('end', () => done(false));
      res.on('error', (err) => {
        settle(
          new WebhookError(`webhook response failed: ${err.message}`, {
            retryable: true,
            cause: err,
          }),
        );
      });
    });

    req.end(payload);
  });
}
