// A CSV file fetched from a URL for an import: http(s) only, SSRF-guarded, size and time limited.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import {
  assertPublicIp,
  BlockedAddressError,
  guardedLookup,
} from '../../engine/steps/address-guard.ts';
import { ValidationError } from '../../errors.ts';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** IMPORT_ALLOW_PRIVATE: loopback, private and link-local hosts may be fetched. */
  allowPrivate: boolean;
  /** The internal range an address is in (default: address-guard's); tests name a "public" one. */
  rangeOf?: (ip: string) => string | undefined;
}

const MAX_REDIRECTS = 5;

const refused = (message: string) => new ValidationError([{ field: 'link', message }]);

function blockedMessage(err: BlockedAddressError): string {
  return (
    `refusing to fetch from ${err.address}: a ${err.range} address; ` +
    'set IMPORT_ALLOW_PRIVATE=true to import from internal hosts'
  );
}

/** The URL checked before connecting: http(s), and an IP literal must be public (no lookup runs). */
function checkTarget(url: URL, limits: FetchLimits): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw refused(`must use http: or https:, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (limits.allowPrivate || !net.isIP(host)) return;
  try {
    assertPublicIp(host, undefined, limits.rangeOf);
  } catch (err) {
    if (err instanceof BlockedAddressError) throw refused(blockedMessage(err));
    throw err;
  }
}

/** One GET; the answer's body is left to the caller. Credentials in the URL go as basic auth. */
function get(url: URL, limits: FetchLimits, signal: AbortSignal): Promise<http.IncomingMessage> {
  checkTarget(url, limits);
  const client = url.protocol === 'https:' ? https : http;
  const auth =
    url.username || url.password
      ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
      : undefined;
  return new Promise((resolve, reject) => {
    const req = client.get(url, {
      agent: false,
      signal,
      ...(auth ? { auth } : {}),
      headers: { 'user-agent': 'Subflow-Import/1', accept: 'text/csv, text/plain, */*' },
      ...(limits.allowPrivate ? {} : { lookup: guardedLookup(undefined, limits.rangeOf) }),
    });
    req.once('response', resolve);
    req.once('error', (err) => {
      if (err instanceof BlockedAddressError) reject(refused(blockedMessage(err)));
      else if (signal.aborted) reject(refused(`took longer than ${limits.timeoutMs} ms`));
      else reject(refused(`could not be fetched: ${err.message}`));
    });
  });
}

/**
 * The file's bytes as they arrive. Redirects are followed (at most 5), each target checked again,
 * and credentials are not carried to another origin. Beyond `maxBytes` or `timeoutMs` the transfer
 * stops with a ValidationError naming `link`, as does any refusal.
 * @example for await (const bytes of fetchCsv('https://files.example.com/list.csv', limits)) …
 */
export async function* fetchCsv(link: string, limits: FetchLimits): AsyncGenerator<Buffer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    let url = new URL(link);
    let res = await get(url, limits, controller.signal);
    for (let hops = 0; res.statusCode && res.statusCode >= 300 && res.statusCode < 400; hops++) {
      const location = res.headers.location;
      res.resume();
      if (!location || hops === MAX_REDIRECTS)
        throw refused(
          `answered ${res.statusCode}${location ? ` after ${MAX_REDIRECTS} redirects` : ' without a Location'}`,
        );
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        next.username = '';
        next.password = '';
      }
      url = next;
      res = await get(url, limits, controller.signal);
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw refused(`answered ${res.statusCode}, not 200`);
    }
    if (Number(res.headers['content-length'] ?? 0) > limits.maxBytes)
      throw refused(`the file is larger than ${limits.maxBytes} bytes`);
    let size = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limits.maxBytes)
          throw refused(`the file is larger than ${limits.maxBytes} bytes`);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      if (controller.signal.aborted) throw refused(`took longer than ${limits.timeoutMs} ms`);
      throw refused(`the transfer failed: ${(err as Error).message}`);
    } finally {
      res.destroy();
    }
  } finally {
    clearTimeout(timer);
  }
}
