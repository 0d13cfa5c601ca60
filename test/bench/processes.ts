// Server child processes for the bench: spawn, wait for their port, sample their RSS, kill them.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Messages a child entry (subflow-server.ts, baseline-server.ts) sends over IPC. */
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number };

export interface ServerChild {
  name: string;
  url: string;
  pid: number;
  /** RSS and heap right after a forced GC in the child, in bytes. */
  memoryAfterGc(): Promise<{ rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every child still running; safe to call from an exit handler (synchronous). */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/**
 * Starts `node --import tsx ENTRY ARGS` and resolves once it reports the port it listens on.
 * Every server child is started the same way, so the baselines pay the same process overheads.
 */
export async function startChild(
  name: string,
  entry: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL(entry, import.meta.url)), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      // The child's stdout (pino logs) goes to our stderr: the bench's stdout is the table only.
      stdio: ['ignore', 2, 'inherit', 'ipc'],
    },
  );
  live.add(child);
  child.once('exit', () => live.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start-up (${signal ?? code})`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    memoryAfterGc: () => askMemory(child),
    stop: () => stopChild(child),
  };
}

function askMemory(child: ChildProcess): Promise<{ rss: number; heapUsed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not report memory')), 10_000);
    const onMessage = (m: ChildMessage) => {
      if (m.type !== 'memory') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ rss: m.rss, heapUsed: m.heapUsed });
    };
    child.on('message', onMessage);
    child.send({ type: 'memory' });
  });
}

/** SIGTERM for a clean shutdown (closes the DB), SIGKILL if it takes more than 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const execFileAsync = promisify(execFile);

/** Resident set size of a process in bytes: /proc on Linux, `ps` elsewhere. */
export async function readRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // No /proc (macOS): fall through to ps.
  }
  const { stdout } = await execFileAsync('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) * 1024;
}

/** Samples a process's RSS every `intervalMs` until stopped; `stop()` answers the peak in bytes. */
export function sampleRss(pid: number, intervalMs = 200): { stop(): Promise<number> } {
  let peak = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const sample = () => {
    inFlight = readRss(pid).then(
      (rss) => {
        peak = Math.max(peak, rss);
      },
      () => {},
    );
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      sample();
      await inFlight;
      return peak;
    },
  };
}

export const toMb = (bytes: number) => bytes / (1024 * 1024);
