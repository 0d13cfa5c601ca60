// wait_for and an event that commits and is dispatched while the step decides to sleep.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { dispatchEvents } from '../server/engine/dispatch-events.ts';
import type { WorkflowEngine } from '../server/engine/engine.ts';
import { createLogger } from '../server/logger.ts';
import {
  appendOne,
  bareEngine,
  compiled,
  insertContact,
  namedConnections,
  waitingForLock,
} from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

const logger = createLogger('silent');

const WORKFLOW = `
name: poke
on: started
steps:
  - id: poked
    wait_for: { event: poked, timeout: 1h }
`;

/**
 * Runs `interfere` once, when wait_for's read of the contact's new events (`id > cursor`) has
 * returned for the `nth` time: the first is the step's own look, the second its look again in the
 * transaction that writes the sleep. The engine goes on once `hold` (given interfere's promise)
 * resolves; `settled` is interfere's promise.
 */
class AfterEventsRead implements KyselyPlugin {
  private target: QueryId | undefined;
  private seen = 0;
  settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly nth: number,
    private interfere: (() => Promise<void>) | undefined,
    private readonly hold: (settled: Promise<void>) => Promise<unknown>,
  ) {}

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    const text = JSON.stringify(node);
    if (this.interfere && text.includes('"events"') && text.includes('"operator":">"')) {
      this.seen++;
      if (this.seen === this.nth) this.target = queryId;
    }
    return node;
  }

  async transformResult({
    result,
    queryId,
  }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const interfere = this.interfere;
    if (interfere && queryId === this.target) {
      this.interfere = undefined;
      this.settled = interfere();
      await this.hold(this.settled);
    }
    return result;
  }
}

const OTHER_SIDE = 'wait-for-race-other-side';

describe.each(testDialects())('wait_for racing its event on %s', (dialect) => {
  const engineSide = migratedDatabaseEach(dialect);
  let otherSide: OpenDatabase;

  beforeEach(() => {
    otherSide = openDatabase(namedConnections(engineSide().url, OTHER_SIDE));
  });

  afterEach(async () => {
    await otherSide.close();
  });

  /**
   * An engine whose wait_for meets, at the chosen read, another process committing the `poked`
   * event and dispatching it; returns once the engine has had two passes and the other side is done.
   */
  const race = async (nth: number, hold: (settled: Promise<void>) => Promise<unknown>) => {
    const contactId = await insertContact(engineSide().db, 'race@example.com');
    let dispatched = 0;
    let engine: WorkflowEngine | undefined;
    const plugin = new AfterEventsRead(
      nth,
      async () => {
        await appendOne(otherSide.db, 'poked', contactId);
        const result = await dispatchEvents(
          otherSide.db,
          otherSide.dialect,
          engine?.status().workflows ?? [],
          { now: Date.now(), limit: 10, logger },
        );
        dispatched += result.events;
      },
      hold,
    );
    engine = await bareEngine({ ...engineSide(), db: engineSide().db.withPlugin(plugin) }, [
      compiled('poke.yaml', WORKFLOW),
    ]);
    await appendOne(engineSide().db, 'started', contactId);
    // The first pass starts the run and advances it to its sleep; the second advances it if woken.
    await engine.tick();
    await plugin.settled;
    await engine.tick();
    expect(dispatched).toBe(1);
  };

  const expectReceived = async () => {
    const runs = await engineSide().db.selectFrom('workflow_runs').selectAll().execute();
    expect(runs.map((r) => r.status)).toEqual(['completed']);
    const step = await engineSide()
      .db.selectFrom('workflow_steps')
      .select('output')
      .where('step_id', '=', 'poked')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(step.output as string)).toMatchObject({
      received: true,
      event: { type: 'poked' },
    });
  };

  it('sees an event dispatched between the step looking for it and its sleep being written', async () => {
    await race(1, (settled) => settled);
    await expectReceived();
  });

  // Only PostgreSQL runs the dispatcher's transaction beside the one writing the sleep; on SQLite a
  // process has one connection, and its transactions take turns.
  it.runIf(dialect === 'postgres')(
    'is woken by an event dispatched while its sleep is being written',
    async () => {
      // The sleep's transaction goes on once the dispatcher is done, or waits for one of its locks.
      await race(2, (settled) => Promise.race([settled, waitingForLock(otherSide.db, OTHER_SIDE)]));
      await expectReceived();
    },
  );
});
