// DKIM: the signing key from the environment (for nodemailer's `dkim` option), and new key pairs.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** nodemailer's DKIM options. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface DkimEnv {
  DKIM_DOMAIN?: string | undefined;
  DKIM_SELECTOR?: string | undefined;
  DKIM_PRIVATE_KEY?: string | undefined;
  DKIM_PRIVATE_KEY_FILE?: string | undefined;
}

/** One issue, named by the variable to fix. */
export interface DkimIssue {
  variable: keyof DkimEnv;
  message: string;
}

/** A PEM given in one line with `\n` escapes (as env files often hold it) is read as written. */
const pemOf = (text: string) => text.replace(/\\n/g, '\n').trim();

function readKey(env: DkimEnv): { key?: string; issue?: DkimIssue } {
  if (env.DKIM_PRIVATE_KEY) return { key: pemOf(env.DKIM_PRIVATE_KEY) };
  if (!env.DKIM_PRIVATE_KEY_FILE) return {};
  try {
    return { key: pemOf(readFileSync(env.DKIM_PRIVATE_KEY_FILE, 'utf8')) };
  } catch (err) {
    const message = `cannot read the key file: ${(err as Error).message}`;
    return { issue: { variable: 'DKIM_PRIVATE_KEY_FILE', message } };
  }
}

/**
 * The signing options, or what is wrong with the DKIM variables. All unset: no signing. A domain
 * needs a selector and a key (DKIM_PRIVATE_KEY, or DKIM_PRIVATE_KEY_FILE), and the key must be a
 * private key Node can read (RSA or Ed25519, PEM).
 */
export function dkimFromEnv(env: DkimEnv): { signing?: DkimSigning; issues: DkimIssue[] } {
  const anySet =
    env.DKIM_DOMAIN || env.DKIM_SELECTOR || env.DKIM_PRIVATE_KEY || env.DKIM_PRIVATE_KEY_FILE;
  if (!anySet) return { issues: [] };
  const issues: DkimIssue[] = [];
  if (env.DKIM_PRIVATE_KEY && env.DKIM_PRIVATE_KEY_FILE)
    issues.push({
      variable: 'DKIM_PRIVATE_KEY_FILE',
      message: 'set DKIM_PRIVATE_KEY or this, not both',
    });
  if (!env.DKIM_DOMAIN)
    issues.push({ variable: 'DKIM_DOMAIN', message: 'required for DKIM signing' });
  if (!env.DKIM_SELECTOR)
    issues.push({ variable: 'DKIM_SELECTOR', message: 'required for DKIM signing' });
  const { key, issue } = readKey(env);
  if (issue) issues.push(issue);
  else if (!key)
    issues.push({
      variable: 'DKIM_PRIVATE_KEY',
      message: 'required for DKIM signing (or DKIM_PRIVATE_KEY_FILE)',
    });
  else {
    try {
      createPrivateKey(key);
    } catch {
      issues.push({
        variable: env.DKIM_PRIVATE_KEY ? 'DKIM_PRIVATE_KEY' : 'DKIM_PRIVATE_KEY_FILE',
        message: 'not a private key in PEM (try `npx subflow dkim generate`)',
      });
    }
  }
  if (issues.length > 0 || !key || !env.DKIM_DOMAIN || !env.DKIM_SELECTOR) return { issues };
  return {
    signing: { domainName: env.DKIM_DOMAIN, keySelector: env.DKIM_SELECTOR, privateKey: key },
    issues,
  };
}

/**
 * A new RSA key pair and the DNS TXT record that publishes its public half.
 * @example const { privateKey, record } = generateDkimKey({ domain: 'example.com', selector: 'subflow' })
 */
export function generateDkimKey(input: { domain: string; selector: string; bits?: number }) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: input.bits ?? 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const publicBase64 = publicKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const value = `v=DKIM1; k=rsa; p=${publicBase64}`;
  return {
    privateKey,
    publicKey,
    name: `${input.selector}._domainkey.${input.domain}`,
    value,
    /** BIND zone syntax; the value is split in strings of at most 255 characters. */
    record: `${input.selector}._domainkey.${input.domain}. IN TXT ( ${
      value
        .match(/.{1,255}/g)
        ?.map((s) => `"${s}"`)
        .join(' ') ?? ''
    } )`,
  };
}
