// Debian's SpamAssassin, offline (`spamassassin -L -t`): required under CI, skipped with a message elsewhere.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SPAMASSASSIN_PATH = '/usr/bin/spamassassin';

export const spamAssassinAvailable = existsSync(SPAMASSASSIN_PATH);

if (!spamAssassinAvailable) {
  if (process.env.CI === 'true')
    throw new Error(`SpamAssassin is required when CI=true but ${SPAMASSASSIN_PATH} is missing`);
  process.stderr.write(
    `\n!!! ${SPAMASSASSIN_PATH} not found: spam score tests are SKIPPED (apt-get install spamassassin).\n\n`,
  );
}

/**
 * SpamAssassin's score of a raw mail with local tests only (no DNS or network lists, so no
 * DKIM key lookup either), and the rules that fired.
 */
export function spamScore(raw: Buffer): Promise<{ score: number; rules: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SPAMASSASSIN_PATH, ['-L', '-t'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', () => {
      const status = /^X-Spam-Status: .*(?:\r?\n[ \t].*)*/m.exec(out)?.[0].replace(/\s+/g, ' ');
      const score = /score=(-?\d+(?:\.\d+)?)/.exec(status ?? '')?.[1];
      if (score === undefined) {
        reject(new Error(`no X-Spam-Status in SpamAssassin's output: ${err || out.slice(0, 500)}`));
        return;
      }
      resolve({ score: Number(score), rules: /tests=(\S*)/.exec(status ?? '')?.[1] ?? '' });
    });
    child.stdin.end(raw);
  });
}
