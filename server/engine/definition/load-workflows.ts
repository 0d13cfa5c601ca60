// Loads every workflow file of a folder (bad files reported, good ones kept) and watches it.
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type CompileResult, compileWorkflow, MAX_WORKFLOW_BYTES, tooLarge } from './compile.ts';
import { SourcePositions } from './positions.ts';
import type { CompiledWorkflow, DefinitionError, LoadedWorkflows } from './types.ts';

const WORKFLOW_FILE = /\.ya?ml$/i;
const DEBOUNCE_MS = 200;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

interface Compiled {
  hash: string;
  result: CompileResult;
}

/** A file's compile result; `source` is absent when the file was refused unread. */
interface FileResult {
  result: CompileResult;
  source?: string;
  fresh: boolean;
}

/**
 * Loads a folder of workflows and keeps each file's compiled form by content hash, so a reload
 * compiles only the files that changed. Oversized files are refused from their size alone.
 */
export class WorkflowLoader {
  private readonly cache = new Map<string, Compiled>();

  constructor(private readonly dir: string) {}

  /**
   * Compiles `dir/*.yaml` and `dir/*.yml` (not recursive, in name order). A bad file adds its
   * errors and the others still load; a second file with an already used `name` is an error.
   * A folder that does not exist gives no workflows and no errors: the caller decides.
   * `compiled` lists the files this call had to compile (the others were unchanged).
   */
  async load(): Promise<LoadedWorkflows & { compiled: string[] }> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return { workflows: [], errors: [], compiled: [] };
      throw err;
    }
    const workflows: CompiledWorkflow[] = [];
    const errors: DefinitionError[] = [];
    const compiled: string[] = [];
    const byName = new Map<string, string>();
    const seen = new Set<string>();
    for (const entry of entries.filter((name) => WORKFLOW_FILE.test(name)).sort()) {
      const file = join(this.dir, entry);
      const loaded = await this.compileIfChanged(file);
      if (!loaded) continue;
      seen.add(file);
      if (loaded.fresh) compiled.push(file);
      const { result, source = '' } = loaded;
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
    for (const file of this.cache.keys()) if (!seen.has(file)) this.cache.delete(file);
    return { workflows, errors, compiled };
  }

  /** The file's compile result, reused when its bytes did not change; undefined when it is gone. */
  private async compileIfChanged(file: string): Promise<FileResult | undefined> {
    const refuse = (message: string): FileResult => ({
      result: { errors: [{ file, line: 1, column: 1, message }] },
      fresh: false,
    });
    let bytes: Buffer;
    try {
      const { size } = await stat(file);
      // Refused unread: parsing megabytes of YAML would hold the event loop for seconds.
      if (size > MAX_WORKFLOW_BYTES) return refuse(tooLarge(size));
      bytes = await readFile(file);
    } catch (err) {
      // Deleted between readdir and now (an editor saving), or a folder named like a file.
      if (isMissing(err)) return undefined;
      return refuse(`cannot read: ${(err as Error).message}`);
    }
    const source = bytes.toString('utf8');
    const hash = createHash('sha256').update(bytes).digest('hex');
    const cached = this.cache.get(file);
    if (cached?.hash === hash) return { result: cached.result, source, fresh: false };
    // One file per turn of the event loop, so requests are answered while a folder compiles.
    await new Promise((resolve) => setImmediate(resolve));
    const result = compileWorkflow(file, source);
    this.cache.set(file, { hash, result });
    return { result, source, fresh: true };
  }
}

/**
 * Compiles a folder once, without keeping anything (see WorkflowLoader for repeated loads).
 *
 * @example const { workflows, errors } = await loadWorkflows('workflows');
 */
export async function loadWorkflows(dir: string): Promise<LoadedWorkflows> {
  const { workflows, errors } = await new WorkflowLoader(dir).load();
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
