// Runs the worker role's loops on a thread of their own, beside the request thread (SQLite files).
import { Worker } from 'node:worker_threads';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Config } from '../config.ts';
import type { WorkKind, WorkSignals } from '../db/work-signals.ts';
import type { Logger } from '../logger.ts';

export interface WorkThreadData {
  config: Config;
  secretKey: string;
  logLevel: string;
}

type Metrics = MetricObjectWithValues<MetricValue<string>>[];

/** What the request thread and the work thread tell each other. */
export type ThreadMessage =
  | { type: 'wake'; kinds: WorkKind[] }
  | { type: 'metrics'; id: number; metrics?: Metrics }
  | { type: 'ready'; mailTransport: string | undefined; bounceMailboxPort: number | undefined }
  | { type: 'stop' }
  | { type: 'stopped' };

export interface WorkThread {
  /** Wake-ups for the thread's loops, sent after the request thread's commits. */
  signals: WorkSignals;
  mailTransport: string | undefined;
  bounceMailboxPort: number | undefined;
  /** The thread's own counters (mail, engine, retention), for /metrics to add to this thread's. */
  metrics(): Promise<Metrics>;
  /** Lets the loops finish their pass, releases the thread's claims, closes its connection. */
  stop(): Promise<void>;
}

/**
 * better-sqlite3 is synchronous, so on one thread every mail rendered, SMTP reply parsed and
 * workflow step taken delays the requests waiting behind it. The worker role on its own thread
 * (its own connection; WAL lets it read while the other writes) takes that work off the request
 * path and onto the machine's other core. See ARCHITECTURE.md in this folder.
 * @example const thread = await startWorkThread({ config, secretKey, logger });
 */
export async function startWorkThread(opts: {
  config: Config;
  secretKey: string;
  logger: Logger;
}): Promise<WorkThread> {
  const data: WorkThreadData = {
    config: opts.config,
    secretKey: opts.secretKey,
    logLevel: opts.logger.level,
  };
  const worker = new Worker(new URL('./work-thread-entry.mjs', import.meta.url), {
    workerData: data,
  });
  let stopping = false;
  const ready = new Promise<Extract<ThreadMessage, { type: 'ready' }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the work thread exited during start-up (${code})`)),
    );
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  const started = await ready;
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (err) => {
    // As an uncaught exception on one thread would end the process, so does one on the other:
    // half a Subflow (answering, but sending nothing) is worse than a restart by the supervisor.
    opts.logger.fatal({ err }, 'the work thread failed');
    setImmediate(() => {
      throw err;
    });
  });
  worker.on('exit', (code) => {
    if (!stopping) opts.logger.fatal({ code }, 'the work thread exited');
  });

  // Commits come in bursts: one message per turn of the event loop carries every kind woken in it.
  const pending = new Set<WorkKind>();
  let flushQueued = false;
  const signals: WorkSignals = {
    notify: (kind) => {
      if (stopping) return;
      pending.add(kind);
      if (flushQueued) return;
      flushQueued = true;
      setImmediate(() => {
        flushQueued = false;
        const kinds = [...pending];
        pending.clear();
        if (!stopping) worker.postMessage({ type: 'wake', kinds } satisfies ThreadMessage);
      });
    },
    listen: async () => {},
    close: async () => {},
  };

  let nextId = 0;
  const metrics = () =>
    new Promise<Metrics>((resolve) => {
      if (stopping) return resolve([]);
      const id = ++nextId;
      const onMessage = (m: ThreadMessage) => {
        if (m.type !== 'metrics' || m.id !== id) return;
        worker.off('message', onMessage);
        resolve(m.metrics ?? []);
      };
      worker.on('message', onMessage);
      worker.postMessage({ type: 'metrics', id } satisfies ThreadMessage);
    });

  return {
    signals,
    mailTransport: started.mailTransport,
    bounceMailboxPort: started.bounceMailboxPort,
    metrics,
    stop: async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (m: ThreadMessage) => m.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' } satisfies ThreadMessage);
      await stopped;
      await worker.terminate();
    },
  };
}
