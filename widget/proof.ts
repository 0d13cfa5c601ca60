// The widget's proofs for the bot defence: the server's proof of work, solved with WebCrypto in
// async batches (each digest runs off the main thread), and Cloudflare Turnstile when the form has it.

/** `_challenge` and `_solution` for one subscribe; a challenge is good for one. */
export type Proof = Record<'_challenge' | '_solution', string>;

/** Digests in flight at once: enough to keep WebCrypto busy, few enough to yield to input often. */
const BATCH = 64;

const zeroBits = (digest: Uint8Array): number => {
  let bits = 0;
  for (const byte of digest) {
    if (byte) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
};

/**
 * Fetches a challenge and finds the first n for which SHA-256(salt + n) starts with `difficulty`
 * zero bits. The time it took is a User Timing measure (`subflow:proof-of-work`) for tests and the
 * bench. Rejects without WebCrypto (a page not served over HTTPS).
 */
export async function solveChallenge(url: string): Promise<Proof> {
  const start = performance.now();
  const c = await (await fetch(url, { credentials: 'omit' })).json();
  const text = new TextEncoder();
  for (let n = 0; ; n += BATCH) {
    const batch: Promise<ArrayBuffer>[] = [];
    for (let i = n; i < n + BATCH; i++)
      batch.push(crypto.subtle.digest('SHA-256', text.encode(c.salt + i)));
    const found = (await Promise.all(batch)).findIndex(
      (d) => zeroBits(new Uint8Array(d)) >= c.difficulty,
    );
    if (found >= 0) {
      performance.measure('subflow:proof-of-work', { start });
      return { _challenge: c.challenge, _solution: String(n + found) };
    }
  }
}

interface Turnstile {
  render(el: HTMLElement, opts: Record<string, unknown>): string;
  reset(id: string): void;
}

let turnstile: Promise<Turnstile> | undefined;

/** Cloudflare's script, loaded once per page for every form that uses Turnstile. */
export function loadTurnstile(): Promise<Turnstile> {
  turnstile ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';
    script.onload = () => resolve((window as unknown as { turnstile: Turnstile }).turnstile);
    script.onerror = reject;
    document.head.append(script);
  });
  return turnstile;
}
