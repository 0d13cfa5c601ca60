// `subflow workflows check DIR`: positioned errors and exit 1 for a bad folder, "ok" and 0 for a good one.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { temporaryWorkflowDirs } from './helpers/workflow-dir.ts';

const run = promisify(execFile);
const check = (dir: string) =>
  run(process.execPath, ['server/bin/subflow.js', 'workflows', 'check', dir]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );

const folder = temporaryWorkflowDirs();

describe('subflow workflows check', () => {
  it('prints file:line:column: message and exits 1 for a bad file', async () => {
    const dir = folder({
      'good.yaml': 'name: good\non: a\nsteps:\n  - stop: true\n',
      'bad.yaml': 'name: bad\non: a\nsteps:\n  - wait: 2d\n  - sned_email: { subject: hi }\n',
    });
    const result = await check(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${join(dir, 'bad.yaml')}:5:5: unknown step action "sned_email"`,
    );
    expect(result.stdout).toBe('');
  });

  it('prints ok with the names and exits 0 for a good folder', async () => {
    const dir = folder({
      'a.yaml': 'name: first\non: a\nsteps:\n  - wait: 1h\n',
      'b.yml': 'name: second\non: [b, "c*"]\nsteps:\n  - add_tags: [x]\n',
    });
    const result = await check(dir);
    expect(result).toMatchObject({
      code: 0,
      stdout: 'ok: 2 workflows (first, second)\n',
      stderr: '',
    });
  });

  it('passes the shipped examples', async () => {
    const result = await check('workflows');
    expect(result).toMatchObject({
      code: 0,
      stdout: 'ok: 2 workflows (confirmation-reminder, welcome)\n',
    });
  });
});
