// Inside the work thread: its own database connection, worker identity and the worker role's loops.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/open-database.ts';
import { WORK_KINDS, type WorkKind } from '../db/work-signals.ts';
import { createLogger } from '../logger.ts';
import { processMetrics } from '../metrics/registry.ts';
import { startProcessWork } from './process-work.ts';
import type { ThreadMessage, WorkThreadData } from './work-thread.ts';
import { WorkerRegistry } from './worker-registry.ts';

const port = parentPort;
if (!port) throw new Error('work-thread-runner.ts runs only as a worker thread');
const data = workerData as WorkThreadData;
const config: Config = data.config;
const logger = createLogger(data.logLevel).child({ thread: 'work' });
const send = (message: ThreadMessage) => port.postMessage(message);

const database = openDatabase(config.DATABASE_URL, { checkpoints: false });
let onWork: (kind: WorkKind) => void = () => {};
const registry = await WorkerRegistry.start({
  db: database.db,
  logger: logger.child({ module: 'worker' }),
  heartbeatMs: config.timings.workerHeartbeatMs,
  staleMs: config.timings.workerStaleMs,
  onReleased: () => {
    for (const kind of WORK_KINDS) onWork(kind);
  },
});
const work = await startProcessWork('worker', {
  config,
  logger,
  db: database.db,
  dialect: database.dialect,
  secretKey: data.secretKey,
  workerId: registry.id,
  signals: {
    // The request thread is the only peer, and it needs no wake-ups.
    notify: () => {},
    listen: async (handler) => {
      onWork = handler;
    },
    close: async () => {},
  },
});

port.on('message', async (message: ThreadMessage) => {
  if (message.type === 'wake') {
    for (const kind of message.kinds) onWork(kind);
  } else if (message.type === 'metrics') {
    send({ type: 'metrics', id: message.id, metrics: await processMetrics.getMetricsAsJSON() });
  } else if (message.type === 'stop') {
    await work.stop();
    await registry.stop();
    await database.close();
    send({ type: 'stopped' });
    port.close();
  }
});
send({
  type: 'ready',
  mailTransport: work.mailTransport,
  bounceMailboxPort: work.bounceMailbox?.port,
});
