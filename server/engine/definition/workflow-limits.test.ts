// Workflow files have a size and step limit, and a reload compiles only the files that changed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryWorkflowDirs } from '../../../test/helpers/workflow-dir.ts';
import { compileWorkflow } from './compile.ts';
import { loadWorkflows, WorkflowLoader } from './load-workflows.ts';

const workflow = (name: string, subject = 'hi') =>
  `name: ${name}\non: a\nsteps:\n  - send_email: { subject: "${subject}", text: "x" }\n`;

const folder = temporaryWorkflowDirs();

describe('workflow file limits', () => {
  it('refuses a file over 256 KiB without compiling it, and keeps the others', async () => {
    const big = `${workflow('big')}# ${'x'.repeat(300 * 1024)}\n`;
    const dir = folder({ 'big.yaml': big, 'small.yaml': workflow('small') });
    const { workflows, errors } = await loadWorkflows(dir);
    expect(workflows.map((w) => w.name)).toEqual(['small']);
    expect(errors).toEqual([
      {
        file: join(dir, 'big.yaml'),
        line: 1,
        column: 1,
        message: `the file has ${Buffer.byteLength(big)} bytes; a workflow file may have at most 262144 (256 KiB)`,
      },
    ]);
    // `workflows check FILE` and the dry run compile a single file: same limit.
    expect(compileWorkflow('big.yaml', big).errors[0]?.message).toMatch(/at most 262144/);
  });

  it('refuses more than 200 steps, nested ones included, at the steps key', () => {
    const step = '  - add_tags: [a]\n';
    const nested = `  - if: 'true'\n    then:\n${'      - add_tags: [b]\n'.repeat(100)}`;
    const source = `name: long\non: a\nsteps:\n${step.repeat(100)}${nested}`;
    const { workflow: compiled, errors } = compileWorkflow('long.yaml', source);
    expect(compiled).toBeUndefined();
    expect(errors).toEqual([
      {
        file: 'long.yaml',
        line: 3,
        column: 1,
        message:
          'the workflow has 201 steps (nested ones included); at most 200 are allowed: split it into workflows that emit events to each other',
      },
    ]);
  });
});

describe('WorkflowLoader', () => {
  it('compiles only new and changed files on a reload, and forgets removed ones', async () => {
    const dir = folder({ 'a.yaml': workflow('a'), 'b.yaml': workflow('b'), 'c.yaml': 'name: [' });
    const loader = new WorkflowLoader(dir);
    const first = await loader.load();
    expect(first.compiled.map((f) => f.slice(dir.length + 1))).toEqual([
      'a.yaml',
      'b.yaml',
      'c.yaml',
    ]);
    expect(first.errors).toHaveLength(1);

    writeFileSync(join(dir, 'b.yaml'), workflow('b', 'changed'));
    writeFileSync(join(dir, 'a.yaml'), workflow('a'));
    const second = await loader.load();
    expect(second.compiled.map((f) => f.slice(dir.length + 1))).toEqual(['b.yaml']);
    expect(second.workflows.map((w) => w.name)).toEqual(['a', 'b']);
    // An unchanged broken file is still reported, from the cache.
    expect(second.errors).toEqual(first.errors);

    const third = await loader.load();
    expect(third.compiled).toEqual([]);
    expect(third.workflows.map((w) => w.version)).toEqual(second.workflows.map((w) => w.version));
  });
});
