// What the HTTP layer is handed by the server: storage, config, logging and wake-up hooks.
import type { Config } from './config.ts';
import type { DialectCapabilities } from './db/dialect.ts';
import type { DB } from './db/open-database.ts';
import type { Wakeups } from './db/unit-of-work.ts';
import type { WorkflowEngine } from './engine/engine.ts';
import type { ImportRunner } from './imports/run-import.ts';
import type { Logger } from './logger.ts';

export interface AppDeps {
  db: DB;
  dialect: DialectCapabilities;
  config: Config;
  logger: Logger;
  /** Key for signed links (unsubscribe). */
  secretKey: string;
  /** Background loops that verbs wake after their commits (see db/unit-of-work.ts). */
  wakeups: Wakeups;
  engine: WorkflowEngine;
  /** Runs an import in the request that created it (`?sync=true`), as this process's worker. */
  importRunner: ImportRunner;
}
