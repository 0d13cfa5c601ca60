// `subflow dkim generate`: a new DKIM key pair, the DNS TXT record and the variables to set.
import type { Command } from 'commander';
import { generateDkimKey } from '../deliverability/dkim.ts';

export function registerDkimGenerate(program: Command): void {
  program
    .command('dkim')
    .description('DKIM signing keys')
    .command('generate')
    .description('print a new RSA key pair, its DNS TXT record and the DKIM_* variables')
    .option('--selector <selector>', 'the DKIM selector', 'subflow')
    .option('--domain <domain>', 'the signing domain (your From address’s)', 'example.com')
    .option('--bits <bits>', 'RSA key size', (v) => Number.parseInt(v, 10), 2048)
    .action((opts: { selector: string; domain: string; bits: number }) => {
      const key = generateDkimKey(opts);
      process.stdout.write(
        [
          `# 1. Publish this TXT record (name ${key.name}):`,
          key.record,
          '',
          '# 2. Keep the private key secret, e.g. in a file only Subflow reads, and set:',
          `#    DKIM_DOMAIN=${opts.domain}`,
          `#    DKIM_SELECTOR=${opts.selector}`,
          '#    DKIM_PRIVATE_KEY_FILE=/path/to/dkim-private.pem   (or DKIM_PRIVATE_KEY=…)',
          key.privateKey.trim(),
          '',
          '# Public key (the same as in the record):',
          key.publicKey.trim(),
          '',
        ].join('\n'),
      );
    });
}
