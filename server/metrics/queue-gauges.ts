// Gauges of the shared database's queues, set from one snapshot read when /metrics is scraped.
import { Gauge, Registry } from 'prom-client';
import type { DB } from '../db/open-database.ts';
import { readQueueSnapshot } from './queue-snapshot.ts';

/**
 * The database is shared by every process, so every process reports the same figures: in
 * Prometheus take `max` of these over instances, not `sum`. Worker heartbeats are labelled by
 * worker id, one series per live process (a dead one's row is reaped, and its series ends).
 * @example const gauges = new QueueGauges(db); await gauges.refresh(Date.now()); gauges.registry
 */
export class QueueGauges {
  readonly registry = new Registry();
  private readonly gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [this.registry] });

  private readonly outboxPending = this.gauge(
    'subflow_outbox_pending',
    'Mails in the outbox not yet sent (counted up to 100000)',
  );
  private readonly outboxOldestDue = this.gauge(
    'subflow_outbox_oldest_due_age_seconds',
    'How long the mail that has been due longest has waited (0: none due)',
  );
  private readonly runsWaiting = this.gauge(
    'subflow_workflow_runs_waiting',
    'Workflow runs waiting on a timer or an event (counted up to 100000)',
  );
  private readonly runsDue = this.gauge(
    'subflow_workflow_runs_due',
    'Workflow runs whose next step is due now (counted up to 100000)',
  );
  private readonly engineLag = this.gauge(
    'subflow_engine_lag_seconds',
    'How long the run that has been due longest has waited for its step (0: none due)',
  );
  private readonly eventsUndispatched = this.gauge(
    'subflow_events_undispatched',
    'Events not yet matched against workflows (counted up to 100000)',
  );
  private readonly eventLag = this.gauge(
    'subflow_event_dispatch_lag_seconds',
    'Age of the oldest event not yet matched against workflows (0: none)',
  );
  private readonly importRows = this.gauge(
    'subflow_import_rows',
    'Rows of each unfinished import: total, and processed so far',
    ['import', 'status', 'rows'],
  );
  private readonly workerHeartbeatAge = this.gauge(
    'subflow_worker_heartbeat_age_seconds',
    'Seconds since each live Subflow process last heartbeat (workers table)',
    ['worker', 'host'],
  );
  private readonly workerUptime = this.gauge(
    'subflow_worker_started_seconds',
    'When each live Subflow process registered, in seconds since the epoch',
    ['worker', 'host'],
  );

  private readonly databaseUp = this.gauge(
    'subflow_metrics_database_up',
    '1 when this scrape read the queues from the database, 0 when that failed (figures are stale)',
  );

  constructor(private readonly db: DB) {}

  markDatabaseDown(): void {
    this.databaseUp.set(0);
  }

  /** Reads the snapshot and sets every gauge; labelled series start afresh each time. */
  async refresh(now: number): Promise<void> {
    const s = await readQueueSnapshot(this.db, now);
    this.databaseUp.set(1);
    this.outboxPending.set(s.outboxPending);
    this.outboxOldestDue.set(s.outboxOldestDueAgeMs / 1000);
    this.runsWaiting.set(s.runsWaiting);
    this.runsDue.set(s.runsDue);
    this.engineLag.set(s.runsOldestDueAgeMs / 1000);
    this.eventsUndispatched.set(s.eventsUndispatched);
    this.eventLag.set(s.eventsOldestUndispatchedAgeMs / 1000);
    this.importRows.reset();
    for (const i of s.imports) {
      const labels = { import: String(i.id), status: i.status };
      this.importRows.set({ ...labels, rows: 'total' }, i.total);
      this.importRows.set({ ...labels, rows: 'processed' }, i.processed);
    }
    this.workerHeartbeatAge.reset();
    this.workerUptime.reset();
    for (const w of s.workers) {
      const labels = { worker: w.id, host: w.host };
      this.workerHeartbeatAge.set(labels, Math.max(0, now - w.heartbeatAt) / 1000);
      this.workerUptime.set(labels, w.startedAt / 1000);
    }
  }
}
