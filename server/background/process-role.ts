// What a process runs, by `subflow serve --role`: web answers HTTP, worker runs the background loops.
import { ConfigError } from '../config.ts';

export const ROLES = ['web', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

/**
 * - `web`: the HTTP API, forms and pages; commits work (mail, events, imports) and signals it.
 * - `worker`: the mail sender, the workflow engine, the import worker and the pruning loops; its
 *   listener answers only `GET /healthz`, for orchestrators.
 * - `all`: both, the single-process set-up (and the only one on SQLite).
 */
export const servesHttp = (role: Role) => role !== 'worker';
export const runsWork = (role: Role) => role !== 'web';

/**
 * Split roles need PostgreSQL: on SQLite a web process's commits reach no worker process except by
 * polling, and several processes writing one file is not a supported set-up.
 * @example assertRoleFits('web', 'postgres://db/subflow') // fine; with 'sqlite:…' it throws
 */
export function assertRoleFits(role: Role, databaseUrl: string): void {
  if (role !== 'all' && databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError(
      `--role ${role} needs PostgreSQL (DATABASE_URL=postgres://…); on SQLite run one process with --role all`,
    );
  }
}
