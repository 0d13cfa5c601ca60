// What every bench server child shares: report the port, answer memory probes, die with the parent.
import type { ChildMessage } from './processes.ts';

declare const gc: (() => void) | undefined;

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Wires the IPC protocol of processes.ts; `close` runs on SIGTERM before the process exits. */
export function serveAsBenchChild(port: number, close: () => Promise<void>): void {
  process.on('message', (m: { type?: string }) => {
    if (m.type !== 'memory') return;
    // A forced GC first, so the figure is what is still reachable, not garbage not yet collected.
    if (typeof gc === 'function') gc();
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'memory', rss, heapUsed });
  });
  // The IPC channel closes when the bench process dies, even by SIGKILL: never outlive it.
  process.on('disconnect', () => process.exit(0));
  process.once('SIGTERM', () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  send({ type: 'ready', port });
}
