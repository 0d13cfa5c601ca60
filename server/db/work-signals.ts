// Wake-ups between processes: PostgreSQL LISTEN/NOTIFY on one channel per schema; none on SQLite.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { OpenDatabase } from './open-database.ts';

/** The kinds of work a commit can add; each wakes the matching loop (see unit-of-work.ts). */
export const WORK_KINDS = ['mail', 'engine', 'imports'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export interface WorkSignals {
  /** Tells the other processes that work of this kind was committed (after the commit). */
  notify(kind: WorkKind): void;
  /**
   * Calls `onWork` when another process signals work; after a reconnect it is called for every
   * kind, since signals sent while the connection was down are lost. Resolves once listening.
   */
  listen(onWork: (kind: WorkKind) => void): Promise<void>;
  /** Stops listening and sends what is still pending. */
  close(): Promise<void>;
}

/** SQLite is one process: the in-process wake-ups are all there is. */
const inProcessOnly: WorkSignals = {
  notify: () => {},
  listen: async () => {},
  close: async () => {},
};

export interface WorkSignalOptions {
  database: OpenDatabase;
  /** DATABASE_URL, for the listener's own connection (a pooled one cannot hold a LISTEN). */
  url: string;
  logger: Logger;
  /** First wait before reconnecting a dropped listener, doubling up to ten times that. */
  reconnectMs?: number;
}

/**
 * Signals for the database's engine: NOTIFY/LISTEN on PostgreSQL, nothing on SQLite.
 * @example const signals = await openWorkSignals({ database, url, logger });
 *          await signals.listen((kind) => loops[kind].wake()); signals.notify('mail');
 */
export async function openWorkSignals(opts: WorkSignalOptions): Promise<WorkSignals> {
  if (opts.database.dialect.name === 'sqlite') return inProcessOnly;
  // NOTIFY reaches every session of the database, so processes on other schemas (other
  // deployments, parallel tests) must not share a channel; 63 bytes is PostgreSQL's limit.
  const schema = (await opts.database.dialect.currentSchema(opts.database.db)) ?? 'public';
  return new PostgresSignals(opts, `subflow:${schema}`.slice(0, 63));
}

class PostgresSignals implements WorkSignals {
  /** Skips this process's own signals: it woke its loops already. */
  private readonly sender = randomBytes(6).toString('hex');
  private readonly pending = new Set<WorkKind>();
  private flushing: Promise<void> | undefined;
  private client: pg.Client | undefined;
  private onWork: ((kind: WorkKind) => void) | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private listenedBefore = false;
  private readonly reconnectMs: number;

  constructor(
    private readonly opts: WorkSignalOptions,
    private readonly channel: string,
  ) {
    this.reconnectMs = opts.reconnectMs ?? 500;
  }

  /**
   * At most one NOTIFY statement in flight: signals arriving meanwhile are sent together after
   * it, so a burst of commits costs a few statements, not one each.
   */
  notify(kind: WorkKind): void {
    if (this.closed) return;
    this.pending.add(kind);
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const payloads = [...this.pending].map((kind) => `${kind}:${this.sender}`);
        this.pending.clear();
        try {
          await sql`select pg_notify(${this.channel}, p) from unnest(${payloads}::text[]) as p`.execute(
            this.opts.database.db,
          );
        } catch (err) {
          // Only a hint: the other processes' polling finds the work anyway.
          this.opts.logger.warn(
            { err },
            'work signal not sent; peers will find the work by polling',
          );
        }
      }
    } finally {
      // In the same turn as the last look at `pending`: a signal added after it starts a new flush.
      this.flushing = undefined;
    }
  }

  async listen(onWork: (kind: WorkKind) => void): Promise<void> {
    this.onWork = onWork;
    await this.connect(0);
  }

  /** `failures`: attempts in a row that failed to connect, for the backoff. */
  private async connect(failures: number): Promise<void> {
    const client = new pg.Client({
      connectionString: this.opts.url,
      application_name: 'subflow-listener',
    });
    let connected = false;
    let dropped = false;
    const drop = (err?: Error) => {
      if (dropped || this.closed) return;
      dropped = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      const attempt = connected ? 0 : failures + 1;
      const delay = Math.min(this.reconnectMs * 2 ** attempt, this.reconnectMs * 10);
      this.opts.logger.warn({ err, retryInMs: delay }, 'work listener lost; reconnecting');
      this.retryTimer = setTimeout(() => {
        this.connect(attempt).catch(() => {});
      }, delay);
      this.retryTimer.unref();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (message) => {
      const [kind, sender] = (message.payload ?? '').split(':');
      if (sender !== this.sender && WORK_KINDS.includes(kind as WorkKind)) {
        this.onWork?.(kind as WorkKind);
      }
    });
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.channel)}`);
    } catch (err) {
      drop(err as Error);
      return;
    }
    if (this.closed || dropped) {
      await client.end().catch(() => {});
      return;
    }
    connected = true;
    this.client = client;
    // Signals sent while no connection listened are lost: look for work of every kind once.
    if (this.listenedBefore) for (const kind of WORK_KINDS) this.onWork?.(kind);
    this.listenedBefore = true;
    this.opts.logger.debug({ channel: this.channel }, 'listening for work signals');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.flushing;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
