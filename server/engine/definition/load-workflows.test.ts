// loadWorkflows / watchWorkflows on real temporary folders.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryWorkflowDirs, until } from '../../../test/helpers/workflow-dir.ts';
import { interpolate } from '../expressions/templates.ts';
import { loadWorkflows, watchWorkflows } from './load-workflows.ts';

const workflow = (name: string) => `name: ${name}\non: a\nsteps:\n  - stop: true\n`;

const folder = temporaryWorkflowDirs();

describe('loadWorkflows', () => {
  it('loads the good file next to a bad one, in name order, ignoring other files', async () => {
    const dir = folder({
      'b-good.yml': workflow('good'),
      'a-bad.yaml': 'name: bad\non: a\nsteps:\n  - wait: 10\n',
      'c-also.yaml': workflow('also'),
      'notes.txt': 'not a workflow',
    });
    const { workflows, errors } = await loadWorkflows(dir);
    expect(workflows.map((w) => w.name)).toEqual(['good', 'also']);
    expect(errors).toEqual([
      {
        file: join(dir, 'a-bad.yaml'),
        line: 4,
        column: 11,
        message: 'wait: expected a duration like 30s, 5m, 2h, 2d or 1w, got 10',
      },
    ]);
  });

  it('rejects a second file with the same name, at its name', async () => {
    const dir = folder({
      'one.yaml': workflow('same'),
      'two.yaml': `# comment\n${workflow('same')}`,
    });
    const { workflows, errors } = await loadWorkflows(dir);
    expect(workflows).toHaveLength(1);
    expect(errors).toEqual([
      {
        file: join(dir, 'two.yaml'),
        line: 2,
        column: 7,
        message: `workflow name "same" is already used by ${join(dir, 'one.yaml')}`,
      },
    ]);
  });

  it('gives nothing for a folder that does not exist', async () => {
    expect(await loadWorkflows(join(tmpdir(), 'subflow-no-such-folder'))).toEqual({
      workflows: [],
      errors: [],
    });
  });
});

describe('watchWorkflows', () => {
  it('calls back once for a burst of writes', async () => {
    const dir = folder({});
    const later = join(dir, 'later.yaml');
    // Each call notes whether the later file exists yet: its call is the sign the burst is over.
    const calls: boolean[] = [];
    const stop = watchWorkflows(dir, () => calls.push(existsSync(later)));
    try {
      writeFileSync(join(dir, 'x.yaml'), workflow('x'));
      writeFileSync(join(dir, 'x.yaml'), workflow('x2'));
      writeFileSync(join(dir, 'ignored.txt'), 'x');
      await until(async () => calls.length > 0);
      writeFileSync(later, workflow('later'));
      await until(async () => calls.includes(true));
      expect(calls.filter((sawLater) => !sawLater)).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('tolerates a missing folder', () => {
    const stop = watchWorkflows(join(tmpdir(), 'subflow-no-such-folder'), () => {});
    expect(stop).not.toThrow();
  });
});

describe('the shipped workflows/ folder', () => {
  it('loads both examples, and the welcome greeting falls back to "there"', async () => {
    const { workflows, errors } = await loadWorkflows('workflows');
    expect(errors).toEqual([]);
    expect(workflows.map((w) => w.name)).toEqual(['confirmation-reminder', 'welcome']);
    const mail = workflows[1]?.program[0];
    if (mail?.op !== 'send_email') throw new Error('expected the welcome mail first');
    const scope = (contact: Record<string, unknown>) => ({
      contact,
      event: {},
      steps: {},
      EmailAddress: 'a@b.c',
    });
    expect(interpolate(mail.subject, scope({ firstName: 'Ann' }))).toBe('Welcome, Ann!');
    expect(interpolate(mail.subject, scope({ firstName: null }))).toBe('Welcome, there!');
    expect(interpolate(mail.subject, scope({}))).toBe('Welcome, there!');
    expect(interpolate(mail.text ?? '', scope({ firstName: '' }))).toMatch(
      /^Hi there,\n\nthanks for confirming a@b.c\./,
    );
  });
});
