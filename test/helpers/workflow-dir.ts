// A temporary workflows folder holding the YAML a test writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export function workflowDir(files: Record<string, string>): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'subflow-workflows-'));
  for (const [name, yaml] of Object.entries(files)) writeFileSync(join(dir, name), yaml);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For a test file that makes many folders: call once at the top level; each folder it returns is
 * removed after the test that made it.
 * @example const folder = temporaryWorkflowDirs(); const dir = folder({ 'a.yaml': yaml });
 */
export function temporaryWorkflowDirs(): (files: Record<string, string>) => string {
  let made: ReturnType<typeof workflowDir>[] = [];
  afterEach(() => {
    for (const dir of made) dir.remove();
    made = [];
  });
  return (files) => {
    const created = workflowDir(files);
    made.push(created);
    return created.dir;
  };
}

export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
