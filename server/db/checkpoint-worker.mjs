// Worker thread that checkpoints a SQLite WAL, so the fsyncs of checkpoints never block the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');

function checkpoint() {
  try {
    // PASSIVE never waits for or blocks the writer on the main thread.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort?.postMessage({ error: String(err) });
  }
}

const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.close();
});
