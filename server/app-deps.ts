// What the HTTP layer is handed by the server: storage, config, logging and wake-up hooks.
import type { Config } from './config.ts';
import type { DialectCapabilities } from './db/dialect.ts';
import type { DB } from './db/open-database.ts';
import type { WorkflowEngine } from './engine/engine.ts';
import type { Logger } from './logger.ts';

export interface AppDeps {
  db: DB;
  dialect: DialectCapabilities;
  config: Config;
  logger: Logger;
  /** Key for signed links (unsubscribe). */
  secretKey: string;
  /** Called after a transaction that queued mail commits, so it goes out now, not on the next poll. */
  wakeMailer(): void;
  /** Called after a transaction that appended events commits, so workflows react at once. */
  onEvents(): void;
  engine: WorkflowEngine;
}
