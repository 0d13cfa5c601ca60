// Worker thread that owns the pooled nodemailer SMTP transport, so MIME building and SMTP I/O
// cost the request thread nothing (see smtp-thread.ts for the protocol).
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';

const transporter = nodemailer.createTransport(workerData.options);

/** Replies of one event-loop turn go back in one message: each message wakes the main thread. */
let replies = [];
function reply(result) {
  if (replies.length === 0) setImmediate(flush);
  replies.push(result);
}
function flush() {
  parentPort?.postMessage(replies);
  replies = [];
}

async function send(id, mail) {
  try {
    await transporter.sendMail(mail);
    reply({ id });
  } catch (err) {
    // Only what the sender looks at crosses the thread boundary (responseCode: permanent or not).
    const error = err instanceof Error ? err : new Error(String(err));
    reply({
      id,
      error: { message: error.message, code: error.code, responseCode: error.responseCode },
    });
  }
}

parentPort?.on('message', (message) => {
  if (message === 'close') {
    transporter.close();
    parentPort?.close();
    return;
  }
  for (const { id, mail } of message) void send(id, mail);
});
