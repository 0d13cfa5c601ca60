// `subflow workflows check [DIR]`: validates workflow files and prints file:line:column: message.
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { compileWorkflow } from '../engine/definition/compile.ts';
import { loadWorkflows } from '../engine/definition/load-workflows.ts';
import type { LoadedWorkflows } from '../engine/definition/types.ts';

/** Adds `check` to the `workflows` command group. */
export function registerWorkflowsCheck(workflows: Command): void {
  workflows
    .command('check')
    .description(
      'validate workflow files; prints file:line:column: message per problem, exit 1 if any',
    )
    .argument(
      '[DIR]',
      'folder of *.yaml workflows, or one file (default: $WORKFLOWS_DIR or workflows)',
    )
    .action(async (dir: string | undefined) => {
      process.exitCode = await checkWorkflows(dir ?? process.env.WORKFLOWS_DIR ?? 'workflows');
    });
}

/** Prints the outcome and returns the exit code: 0 when every file is valid. */
export async function checkWorkflows(target: string): Promise<number> {
  const kind = await stat(target).then(
    (s) => (s.isFile() ? 'file' : 'dir'),
    () => 'missing',
  );
  // loadWorkflows treats a missing folder as empty (a server may start without one); here the
  // user named something to check, so not finding it is worth saying.
  if (kind === 'missing') {
    process.stderr.write(`${target}: no such file or directory\n`);
    return 1;
  }
  const loaded: LoadedWorkflows =
    kind === 'file'
      ? single(compileWorkflow(target, await readFile(target, 'utf8')))
      : await loadWorkflows(target);
  for (const e of loaded.errors)
    process.stderr.write(`${e.file}:${e.line}:${e.column}: ${e.message}\n`);
  if (loaded.errors.length > 0) return 1;
  const names = loaded.workflows.map((w) => w.name);
  const count = `${names.length} workflow${names.length === 1 ? '' : 's'}`;
  process.stdout.write(`ok: ${count}${names.length ? ` (${names.join(', ')})` : ''}\n`);
  return 0;
}

const single = ({ workflow, errors }: ReturnType<typeof compileWorkflow>): LoadedWorkflows => ({
  workflows: workflow ? [workflow] : [],
  errors,
});
