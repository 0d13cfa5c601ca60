// Loads every workflow file of a folder (bad files reported, good ones kept) and watches it.
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { compileWorkflow } from './compile.ts';
import { SourcePositions } from './positions.ts';
import type { CompiledWorkflow, DefinitionError, LoadedWorkflows } from './types.ts';

const WORKFLOW_FILE = /\.ya?ml$/i;
const DEBOUNCE_MS = 200;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/**
 * Compiles `dir/*.yaml` and `dir/*.yml` (not recursive, in name order). A bad file adds its
 * errors and the others still load; a second file with an already used `name` is an error.
 * A folder that does not exist gives no workflows and no errors: the caller decides.
 *
 * @example const { workflows, errors } = await loadWorkflows('workflows');
 */
export async function loadWorkflows(dir: string): Promise<LoadedWorkflows> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return { workflows: [], errors: [] };
    throw err;
  }
  const workflows: CompiledWorkflow[] = [];
  const errors: DefinitionError[] = [];
  const byName = new Map<string, string>();
  for (const entry of entries.filter((name) => WORKFLOW_FILE.test(name)).sort()) {
    const file = join(dir, entry);
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (err) {
      // Deleted between readdir and now (an editor saving), or a folder named like a file.
      if (isMissing(err)) continue;
      errors.push({ file, line: 1, column: 1, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const result = compileWorkflow(file, source);
    errors.push(...result.errors);
    if (!result.workflow) continue;
    const other = byName.get(result.workflow.name);
    if (other) {
      const { line, column } = namePosition(source);
      const message = `workflow name "${result.workflow.name}" is already used by ${other}`;
      errors.push({ file, line, column, message });
      continue;
    }
    byName.set(result.workflow.name, file);
    workflows.push(result.workflow);
  }
  return { workflows, errors };
}

/** Where `name:` is written; only needed for the rare duplicate, so parsing again is fine. */
function namePosition(source: string) {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  return new SourcePositions(doc, lines).locate(['name']).position;
}

/**
 * Calls `onChange` (debounced, ~200 ms: editors write a file in several steps) whenever a
 * workflow file in `dir` changes. Returns a function that stops watching. A folder that does
 * not exist is not watched and is not an error. The watcher does not keep the process alive.
 */
export function watchWorkflows(dir: string, onChange: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const changed = (_event: string, filename: string | Buffer | null) => {
    // No filename means the platform could not tell which file: assume it was one of ours.
    if (filename !== null && !WORKFLOW_FILE.test(filename.toString())) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, DEBOUNCE_MS);
    timer.unref();
  };
  try {
    watcher = watch(dir, { persistent: false }, changed);
    // Errors (the folder was removed) end watching quietly; the next reload finds no files.
    watcher.on('error', () => watcher?.close());
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
