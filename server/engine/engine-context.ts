// What the engine's runtime is given: storage, settings, clock and the outside world.
import type { Timings } from '../config.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { Wakeups } from '../db/unit-of-work.ts';
import type { Logger } from '../logger.ts';
import type { WebhookCall, WebhookResult } from './steps/webhook.ts';
import type { VersionCache } from './versions.ts';

export interface EngineContext {
  db: DB;
  dialect: DialectCapabilities;
  logger: Logger;
  /** Epoch ms; the dry run (`subflow workflows run`) substitutes a simulated clock. */
  clock: () => number;
  publicUrl: string;
  secretKey: string;
  timings: Timings;
  allowPrivateWebhooks: boolean;
  /** The real HTTP call, or the dry run's printer. */
  callWebhook: (call: WebhookCall) => Promise<WebhookResult>;
  versions: VersionCache;
  /** Loops to wake after a step's transaction commits (the engine itself, the mail sender). */
  wakeups: Wakeups;
}
