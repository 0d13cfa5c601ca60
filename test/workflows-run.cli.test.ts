// `subflow workflows run`: a dry run with simulated time prints every step and each mail.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dryRun = (args: string[]) =>
  run(process.execPath, ['server/bin/subflow.js', 'workflows', 'run', ...args], {
    env: { ...process.env },
  });

describe('subflow workflows run', () => {
  it('walks the shipped welcome workflow through two simulated days', async () => {
    const { stdout } = await dryRun([
      'workflows/welcome.yaml',
      '--event',
      'emailConfirmed-newsletter',
      '--contact',
      '{"email":"a@b.co","firstName":"Ann","fields":{"plan":"pro"}}',
    ]);
    expect(stdout).toContain('mail to a@b.co: Welcome, Ann!');
    expect(stdout).toMatch(/\+2d\s+steps\.1\s+wait\s+completed/);
    expect(stdout).toMatch(/add_to_groups\s+completed/);
    expect(stdout).not.toContain('Try Pro');
    expect(stdout).toContain('run completed after +2d (simulated)');
  });

  it('says so when the event does not start the workflow, and exits 1', async () => {
    await expect(
      dryRun(['workflows/welcome.yaml', '--event', 'somethingElse']),
    ).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('no run started'),
    });
  });

  it('refuses a bad --contact with exit code 2', async () => {
    await expect(
      dryRun([
        'workflows/welcome.yaml',
        '--event',
        'emailConfirmed-newsletter',
        '--contact',
        '{"email":"nope"}',
      ]),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--contact: email') });
  });

  it('waits until a time computed from the event (wait_until)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'subflow-wait-until-')), 'until.yaml');
    writeFileSync(
      file,
      'name: until\non: go\nsteps:\n  - wait_until: \'timestamp(event.createdAt) + duration("90m")\'\n  - add_tags: [late]\n',
    );
    const { stdout } = await dryRun([file, '--event', 'go', '--contact', '{"email":"a@b.co"}']);
    expect(stdout).toMatch(/\+1h30m\s+steps\.0\s+wait_until\s+completed/);
    expect(stdout).toContain('run completed after +1h30m (simulated)');
  });
});
