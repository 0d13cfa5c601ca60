// The workflow engine: loads definitions, dispatches events to runs and advances due runs.
import { BackgroundLoop } from '../background/loop.ts';
import type { Timings } from '../config.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { Logger } from '../logger.ts';
import { advanceRuns } from './advance-batch.ts';
import { WorkflowLoader, watchWorkflows } from './definition/load-workflows.ts';
import type { DefinitionError, LoadedWorkflows } from './definition/types.ts';
import { dispatchEvents } from './dispatch-events.ts';
import type { EngineContext } from './engine-context.ts';
import { claimDueRuns, nextDueAt } from './runs-store/claim-due-runs.ts';
import { callWebhook as httpWebhook } from './steps/webhook.ts';
import { type ActiveWorkflow, registerVersions, VersionCache } from './versions.ts';

const EVENT_BATCH = 500;
/** Runs a pass advances before it looks at events again. */
const RUN_BATCH = 256;
/**
 * Runs claimed (of each status: new or retried, and waking) and advanced together, their steps
 * committed in one transaction per round.
 */
const CLAIM_BATCH = 32;
/**
 * Batches in flight at once. PostgreSQL overlaps their round trips on separate connections; on
 * SQLite they take turns on its one connection, at no cost.
 */
const CLAIMERS = 4;

/**
 * What the claimers of one pass share: runs taken so far, the claimers started beside the first
 * (their promises never reject), and the first error any of them met.
 */
interface ClaimBudget {
  runs: number;
  claimers: Promise<void>[];
  failure?: { err: unknown };
}

export interface EngineOptions {
  db: DB;
  dialect: DialectCapabilities;
  logger: Logger;
  workflowsDir: string;
  publicUrl: string;
  secretKey: string;
  timings: Timings;
  allowPrivateWebhooks: boolean;
  /** This process's identity for claims (background/worker-registry.ts). */
  workerId: string;
  /** Wakes the mail sender after a step queued mail. */
  wakeMailer: () => void;
  clock?: () => number;
  callWebhook?: EngineContext['callWebhook'];
  /** Reload when files in the folder change (off for one-shot uses like the dry run). */
  watch?: boolean;
  /** Where definitions come from; default: the `*.yaml` files in `workflowsDir`. */
  loadDefinitions?: () => Promise<LoadedWorkflows>;
}

export class WorkflowEngine {
  private workflows: ActiveWorkflow[] = [];
  private errors: DefinitionError[] = [];
  private readonly ctx: EngineContext;
  private readonly loop: BackgroundLoop;
  private stopWatching: (() => void) | undefined;
  private readonly loader: WorkflowLoader;

  constructor(private readonly opts: EngineOptions) {
    this.loader = new WorkflowLoader(opts.workflowsDir);
    this.ctx = {
      db: opts.db,
      dialect: opts.dialect,
      logger: opts.logger,
      clock: opts.clock ?? Date.now,
      publicUrl: opts.publicUrl,
      secretKey: opts.secretKey,
      timings: opts.timings,
      allowPrivateWebhooks: opts.allowPrivateWebhooks,
      callWebhook: opts.callWebhook ?? httpWebhook,
      versions: new VersionCache(),
      // Steps queue mail and events; none starts an import.
      wakeups: { mail: opts.wakeMailer, engine: () => this.wake(), imports: () => {} },
    };
    this.loop = new BackgroundLoop({
      name: 'workflow engine',
      logger: opts.logger,
      pass: () => this.pass(),
      idleMs: () => this.sleepMs(),
      minIntervalMs: 5,
    });
  }

  /** The loaded workflows and the files that failed to load. */
  status(): { workflows: ActiveWorkflow[]; errors: DefinitionError[] } {
    return { workflows: this.workflows, errors: this.errors };
  }

  /** (Re)loads the folder; a broken file is reported and skipped, the others keep working. */
  async reload(): Promise<void> {
    const loaded = await (this.opts.loadDefinitions ?? (() => this.loader.load()))();
    this.workflows = await registerVersions(this.opts.db, loaded.workflows);
    this.errors = loaded.errors;
    for (const e of loaded.errors)
      this.opts.logger.error(e, `workflow ${e.file}:${e.line}:${e.column}: ${e.message}`);
    this.opts.logger.info(
      { workflows: this.workflows.map((w) => w.workflow.name) },
      'workflows loaded',
    );
  }

  /**
   * Loads the folder and keeps watching it, without running anything: what a web process needs to
   * list the workflows (`start` does this too).
   */
  async load(): Promise<void> {
    await this.reload();
    if (this.opts.watch !== false && !this.stopWatching) {
      this.stopWatching = watchWorkflows(this.opts.workflowsDir, () => {
        this.reload().catch((err) => this.opts.logger.error({ err }, 'reloading workflows failed'));
      });
    }
  }

  async start(): Promise<void> {
    await this.load();
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    this.stopWatching?.();
    await this.loop.stop();
  }

  /**
   * One pass: one batch of events, then one batch of due runs. Alternating (rather than draining
   * all events first) keeps timers on time while a large burst of events is being dispatched.
   */
  async tick(): Promise<{ events: number; runs: number }> {
    const leaseMs = this.opts.timings.engineLeaseMs;
    const { events, claimed: started } = await dispatchEvents(
      this.ctx.db,
      this.ctx.dialect,
      this.workflows,
      {
        now: this.ctx.clock(),
        limit: EVENT_BATCH,
        logger: this.opts.logger,
        claim: { workerId: this.opts.workerId, leaseMs, limit: CLAIM_BATCH },
      },
    );
    // Claims only the runs it starts on now: a batch claimed at once waited in a slow (just
    // restarted, or starved) process while its peers sat idle, and fired timers late.
    if (started.length > 0) await advanceRuns(this.ctx, started);
    const budget: ClaimBudget = { runs: started.length, claimers: [] };
    await this.claimer(budget);
    // A claimer may start another while this waits: the list only grows, up to CLAIMERS - 1.
    for (let i = 0; i < budget.claimers.length; i++) await budget.claimers[i];
    if (budget.failure) throw budget.failure.err;
    return { events, runs: budget.runs };
  }

  /**
   * One claimer, its error kept in the budget. The handler is attached when the claimer starts: a
   * claimer that failed before the pass came to await it would otherwise be an unhandled
   * rejection, which ends the process instead of this pass.
   */
  private claimer(budget: ClaimBudget): Promise<void> {
    return this.claimAndAdvance(budget).catch((err: unknown) => {
      budget.failure ??= { err };
    });
  }

  /**
   * Claims and advances batches until one comes back short or the pass has done RUN_BATCH runs. A
   * full batch means more is due: another claimer starts beside this one (up to CLAIMERS), while a
   * quiet engine makes one claim a pass.
   */
  private async claimAndAdvance(budget: ClaimBudget): Promise<void> {
    while (budget.runs < RUN_BATCH) {
      const claimed = await claimDueRuns(this.ctx.db, this.ctx.dialect, {
        now: this.ctx.clock(),
        leaseMs: this.opts.timings.engineLeaseMs,
        limit: CLAIM_BATCH,
        workerId: this.opts.workerId,
      });
      budget.runs += claimed.length;
      const full = claimed.length >= CLAIM_BATCH;
      if (full && budget.claimers.length < CLAIMERS - 1) budget.claimers.push(this.claimer(budget));
      if (claimed.length > 0) await advanceRuns(this.ctx, claimed);
      if (!full) return;
    }
  }

  /** A tick; true when more work is waiting. Retention is background/workers/retention.ts's. */
  private async pass(): Promise<boolean> {
    const done = await this.tick();
    return done.events === EVENT_BATCH || done.runs >= RUN_BATCH;
  }

  /** Until the next run is due (timers fire on time), at most one poll interval. */
  private async sleepMs(): Promise<number> {
    const poll = this.opts.timings.enginePollMs;
    const next = await nextDueAt(this.ctx.db).catch(() => null);
    return next === null ? poll : Math.max(0, Math.min(poll, next - this.ctx.clock()));
  }
}
