// The README's Contacts API examples, run as printed (bash and curl) on a fresh server: each is a 2xx.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite, TEST_API_KEY } from './helpers/server.ts';

const run = promisify(execFile);

/** The `sh` blocks of the README section `## Contacts API`, in order. */
function contactsApiExamples(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Contacts API\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/**
 * `curl` as the examples call it, recording `status<TAB>method path` for each call; the body goes
 * to stderr so a failure shows it. The examples themselves are not changed.
 */
const CURL_WRAPPER = `
curl() {
  local out status
  out=$(command curl -sS -w '\\n%{http_code}' "$@") || return 1
  status=\${out##*$'\\n'}
  printf '%s\\t%s\\n' "$status" "$*" | head -c 300; echo
  printf '%s\\n' "\${out%$'\\n'*}" | head -c 500 >&2; echo >&2
}
`;

/** Whether curl and bash are here; the examples are shell. */
async function hasCurl(): Promise<boolean> {
  return run('bash', ['-c', 'command -v curl']).then(
    () => true,
    () => false,
  );
}

describe.each(testDialects())('README Contacts API examples on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  it('answers every example with a 2xx, top to bottom, on a fresh server', async (ctx) => {
    if (!(await hasCurl())) {
      console.warn('README examples skipped: curl is not installed');
      ctx.skip();
    }
    const examples = contactsApiExamples();
    expect(examples.length).toBeGreaterThan(3);
    const script = `${CURL_WRAPPER}\n${examples.join('\n')}`;
    const { stdout, stderr } = await run('bash', ['-c', script], {
      env: {
        ...process.env,
        SUBFLOW_KEY: TEST_API_KEY,
        B: `${server.url}/api/v1`,
        H: `Authorization: Bearer ${TEST_API_KEY}`,
        J: 'Content-Type: application/json',
        NEXT: '',
      },
      maxBuffer: 10 * 1024 * 1024,
    });
    const calls = stdout.split('\n').filter((line) => line.includes('\t'));
    const curls = examples.join('\n').match(/^curl /gm) ?? [];
    expect(calls, stderr).toHaveLength(curls.length);
    const failed = calls.filter((line) => !line.startsWith('2'));
    expect(failed, stderr).toEqual([]);
  });
});
