// The `subflow` command line: serve, migrate, keys create, import, workflows check/run, dkim generate.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createApiKey, scopeSchema } from '../auth/api-keys.ts';
import type { Scope } from '../auth/scopes.ts';
import { ROLES, type Role } from '../background/process-role.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { createLogger } from '../logger.ts';
import { startServer } from '../server.ts';
import { registerDkimGenerate } from './dkim-generate.ts';
import { registerImport } from './import-csv.ts';
import { registerWorkflowsCheck } from './workflows-check.ts';
import { registerWorkflowsRun } from './workflows-run.ts';

const program = new Command()
  .name('subflow')
  .description('Self-hosted subscription platform: forms, double opt-in mail, workflows')
  .showHelpAfterError();

function config() {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

program
  .command('serve')
  .description('run the HTTP server and the background work (migrates the database first)')
  .addOption(
    new Option(
      '--role <role>',
      'web: HTTP only; worker: mail, workflows, imports (and /healthz); all: both',
    )
      .choices(ROLES)
      .default('all'),
  )
  .action(async (opts: { role: Role }) => {
    const cfg = config();
    const logger = createLogger(cfg.LOG_LEVEL);
    const server = await startServer(cfg, logger, { role: opts.role }).catch((err) => {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const { db, dialect, close } = openDatabase(config().DATABASE_URL);
    try {
      const applied = await migrateToLatest(db, dialect);
      process.stdout.write(
        applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
      );
    } finally {
      await close();
    }
  });

const parseScope = (value: string, previous: Scope[] = []): Scope[] => {
  const parsed = scopeSchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidArgumentError(`expected one of ${scopeSchema.options.join(', ')}`);
  return [...previous, parsed.data];
};

program
  .command('keys')
  .description('manage API keys')
  .command('create')
  .description('create an API key and print it once (only its hash is stored)')
  .requiredOption('--name <name>', 'who or what uses the key')
  .option('--scope <scope>', 'a scope; repeat for several (default: admin)', parseScope)
  .action(async (opts: { name: string; scope?: Scope[] }) => {
    const cfg = config();
    const { db, dialect, close } = openDatabase(cfg.DATABASE_URL);
    try {
      await migrateToLatest(db, dialect);
      const { key } = await createApiKey(db, { name: opts.name, scopes: opts.scope ?? ['admin'] });
      process.stdout.write(`${key}\n`);
    } finally {
      await close();
    }
  });

registerImport(program, () => config().DATABASE_URL);
registerDkimGenerate(program);

const workflowsCommand = program
  .command('workflows')
  .description('check and try workflow definitions');
registerWorkflowsCheck(workflowsCommand);
registerWorkflowsRun(workflowsCommand);

await program.parseAsync(process.argv);
