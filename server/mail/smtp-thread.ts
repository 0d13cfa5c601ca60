// Sends mail through nodemailer in a worker thread (smtp-worker.mjs), off the request thread.
import { Worker } from 'node:worker_threads';
import type nodemailer from 'nodemailer';

type SmtpOptions = Parameters<typeof nodemailer.createTransport>[0];
/** What nodemailer's `sendMail` takes, limited to values a worker message can carry. */
export type ThreadMail = Record<string, unknown>;

interface Reply {
  id: number;
  error?: { message: string; code?: string; responseCode?: number };
}

/** An SMTP failure as the worker reported it; `responseCode` says whether retrying can help. */
export class SmtpSendError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly responseCode: number | undefined,
  ) {
    super(message);
    this.name = 'SmtpSendError';
  }
}

/**
 * Building the MIME message and driving the SMTP conversation cost ~1 ms of CPU per mail in
 * nodemailer, most of it stream and socket work; on the main thread that competed with every
 * request. The worker is started on first use and holds the process open only while a send is in
 * flight, like the checkpoint worker.
 */
export class SmtpThread {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Sends awaiting an answer, with the worker they were posted to. */
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; worker?: Worker }
  >();
  /** Sends asked for in one turn go to the worker in one message. */
  private outbox: { id: number; mail: ThreadMail }[] = [];

  constructor(private readonly options: SmtpOptions) {}

  send(mail: ThreadMail): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.outbox.length === 0) queueMicrotask(() => this.post());
      this.outbox.push({ id, mail });
    });
  }

  /** Closes the pool's connections; a later send starts a new worker. */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    worker?.postMessage('close');
    worker?.unref();
  }

  private post(): void {
    const batch = this.outbox;
    this.outbox = [];
    const worker = this.started();
    for (const { id } of batch) {
      const waiter = this.pending.get(id);
      if (waiter) waiter.worker = worker;
    }
    worker.ref();
    worker.postMessage(batch);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./smtp-worker.mjs', import.meta.url), {
      workerData: { options: this.options },
    });
    worker.on('message', (replies: Reply[]) => this.settle(replies));
    worker.on('error', (err) => this.abandon(worker, err));
    worker.on('exit', (code) =>
      this.abandon(worker, new Error(`SMTP worker exited with code ${code}`)),
    );
    this.worker = worker;
    return worker;
  }

  private settle(replies: Reply[]): void {
    for (const { id, error } of replies) {
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      if (!waiter) continue;
      if (error) waiter.reject(new SmtpSendError(error.message, error.code, error.responseCode));
      else waiter.resolve();
    }
    if (this.pending.size === 0) this.worker?.unref();
  }

  /** A crashed worker's sends failed transiently (retried later); the next send starts another. */
  private abandon(worker: Worker, cause: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, waiter] of this.pending) {
      if (waiter.worker !== worker) continue;
      this.pending.delete(id);
      waiter.reject(new Error('SMTP worker stopped before answering', { cause }));
    }
  }
}
