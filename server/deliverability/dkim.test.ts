// DKIM configuration: all or nothing, a key Node can read, errors naming the variable to fix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { generateDkimKey } from './dkim.ts';

const key = generateDkimKey({ domain: 'example.com', selector: 's1', bits: 1024 });

describe('DKIM configuration', () => {
  it('signs nothing by default; tracking is on, the bounce mailbox off', () => {
    const config = loadConfig({});
    expect(config.dkim).toBeUndefined();
    expect(config.TRACKING).toBe(true);
    expect(config.BOUNCE_SMTP_PORT).toBeUndefined();
    expect(loadConfig({ TRACKING: 'false' }).TRACKING).toBe(false);
  });

  it('reads the key from the variable (\\n escapes too) or from a file', () => {
    const inline = loadConfig({
      DKIM_DOMAIN: 'example.com',
      DKIM_SELECTOR: 's1',
      DKIM_PRIVATE_KEY: key.privateKey.replace(/\n/g, '\\n'),
    });
    expect(inline.dkim).toEqual({
      domainName: 'example.com',
      keySelector: 's1',
      privateKey: key.privateKey.trim(),
    });
    const file = join(mkdtempSync(join(tmpdir(), 'subflow-dkim-')), 'key.pem');
    writeFileSync(file, key.privateKey);
    const fromFile = loadConfig({
      DKIM_DOMAIN: 'example.com',
      DKIM_SELECTOR: 's1',
      DKIM_PRIVATE_KEY_FILE: file,
    });
    expect(fromFile.dkim?.privateKey).toBe(key.privateKey.trim());
  });

  it('names what is missing or wrong', () => {
    expect(() => loadConfig({ DKIM_DOMAIN: 'example.com' })).toThrow(
      /DKIM_SELECTOR: required[\s\S]*DKIM_PRIVATE_KEY: required/,
    );
    expect(() =>
      loadConfig({ DKIM_DOMAIN: 'example.com', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: 'nope' }),
    ).toThrow(/DKIM_PRIVATE_KEY: not a private key/);
    expect(() =>
      loadConfig({
        DKIM_DOMAIN: 'example.com',
        DKIM_SELECTOR: 's1',
        DKIM_PRIVATE_KEY_FILE: '/nonexistent/key.pem',
      }),
    ).toThrow(/DKIM_PRIVATE_KEY_FILE: cannot read the key file/);
    expect(() => loadConfig({ DKIM_DOMAIN: 'not a domain' })).toThrow(/DKIM_DOMAIN/);
  });

  it('publishes the public key in a TXT record under the selector', () => {
    expect(key.name).toBe('s1._domainkey.example.com');
    expect(key.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    expect(key.record.startsWith('s1._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=')).toBe(
      true,
    );
  });
});
