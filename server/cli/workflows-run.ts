// `subflow workflows run FILE`: a dry run on an in-memory database with simulated time.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { defaultTimings } from '../config.ts';
import { insertContact } from '../contacts/store/contact-rows.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { noWakeups, withTransaction } from '../db/unit-of-work.ts';
import { compileWorkflow } from '../engine/definition/compile.ts';
import { WorkflowEngine } from '../engine/engine.ts';
import { nextDueAt } from '../engine/runs-store/claim-due-runs.ts';
import { appendEvent, contactEventParams } from '../events/append-event.ts';
import { createLogger } from '../logger.ts';
import { emailSchema } from '../subscribe/input-fields.ts';

const contactInput = z
  .object({
    email: emailSchema.optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    status: z.enum(['unconfirmed', 'confirmed', 'unsubscribed', 'bounced']).default('confirmed'),
    fields: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const out = (line: string) => process.stdout.write(`${line}\n`);

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const shown = parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`);
  return `+${shown.join('') || '0s'}`;
}

function parseJson<T>(schema: z.ZodType<T>, text: string, flag: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${flag}: not valid JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${flag}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'} ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export async function dryRun(
  file: string,
  opts: { event: string; contact: string; params: string },
): Promise<number> {
  const contactIn = parseJson(contactInput, opts.contact, '--contact');
  const extraParams = parseJson(z.record(z.string(), z.unknown()), opts.params, '--params');
  const { workflow, errors } = compileWorkflow(file, await readFile(file, 'utf8'));
  if (!workflow) {
    for (const e of errors) process.stderr.write(`${e.file}:${e.line}:${e.column}: ${e.message}\n`);
    return 2;
  }

  const { db, dialect, close } = openDatabase('sqlite::memory:');
  const started = Date.now();
  let now = started;
  const engine = new WorkflowEngine({
    db,
    dialect,
    logger: createLogger('silent'),
    workflowsDir: '',
    publicUrl: 'http://localhost:8787',
    secretKey: 'dry-run-secret-key-0123456789abcdef',
    timings: defaultTimings,
    allowPrivateWebhooks: true,
    wakeMailer: () => {},
    workerId: 'dry-run',
    clock: () => now,
    watch: false,
    loadDefinitions: async () => ({ workflows: [workflow], errors: [] }),
    callWebhook: async (call) => {
      out(
        `           would call ${call.method} ${call.url}${call.body === undefined ? '' : ` ${JSON.stringify(call.body)}`}`,
      );
      return { status: 200, headers: {}, body: null };
    },
  });
  try {
    await migrateToLatest(db, dialect);
    await engine.reload();
    const contact = await insertContact(
      db,
      {
        email: contactIn.email ?? null,
        firstName: contactIn.firstName ?? null,
        lastName: contactIn.lastName ?? null,
        fields: contactIn.fields,
      },
      { status: contactIn.status, source: 'dry-run' },
      now,
    );
    if (!contact) throw new Error('the dry-run contact could not be created');
    await withTransaction({ db, wakeups: noWakeups }, (tx) =>
      appendEvent(tx, {
        type: opts.event,
        contactId: contact.id,
        params: { ...contactEventParams(contact), ...extraParams },
        now,
      }),
    );
    out(`dry run of ${workflow.name} (${workflow.version.slice(0, 12)}) for event ${opts.event}`);

    const printed = new Map<number, string>();
    let lastMail = 0;
    for (let pass = 0; pass < 10_000; pass++) {
      await engine.tick();
      const steps = await db.selectFrom('workflow_steps').selectAll().orderBy('id').execute();
      for (const step of steps) {
        if (printed.get(step.id) === step.status) continue;
        printed.set(step.id, step.status);
        out(
          `  ${elapsed(now - started).padEnd(9)}${step.step_id.padEnd(20)}${step.op.padEnd(20)}${step.status}${step.error ? `: ${step.error}` : ''}`,
        );
      }
      const mails = await db
        .selectFrom('outbox')
        .selectAll()
        .where('id', '>', lastMail)
        .orderBy('id')
        .execute();
      for (const mail of mails) {
        lastMail = mail.id;
        out(`           mail to ${mail.to_address}: ${mail.subject}`);
        for (const line of mail.text_body.trim().split('\n')) out(`             ${line}`);
      }
      const next = await nextDueAt(db);
      if (next === null) {
        // Events the run emitted may still start or wake runs on the next pass.
        const pending = await db
          .selectFrom('events')
          .select('id')
          .where('dispatched_at', 'is', null)
          .executeTakeFirst();
        if (!pending) break;
        continue;
      }
      now = Math.max(now, next);
    }
    const runs = await db.selectFrom('workflow_runs').selectAll().execute();
    if (!runs.length) {
      out(
        `no run started: ${opts.event} does not match on: ${workflow.on.join(', ')}${workflow.filter ? ' (or the if filter was false)' : ''}`,
      );
      return 1;
    }
    for (const run of runs) {
      out(
        `run ${run.status} after ${elapsed((run.finished_at ?? now) - started)} (simulated)${run.error ? `: ${run.error}` : ''}`,
      );
    }
    return runs.every((r) => r.status === 'completed') ? 0 : 1;
  } finally {
    await engine.stop();
    await close();
  }
}

export function registerWorkflowsRun(workflows: Command): void {
  workflows
    .command('run')
    .description('dry-run a workflow file with simulated time, printing each step it would take')
    .argument('<file>', 'workflow YAML file')
    .requiredOption('--event <type>', 'the event that starts it, e.g. emailConfirmed-newsletter')
    .option('--contact <json>', 'the contact, e.g. \'{"email":"a@b.co","firstName":"A"}\'', '{}')
    .option('--params <json>', 'extra event params', '{}')
    .action(async (file: string, opts: { event: string; contact: string; params: string }) => {
      try {
        process.exitCode = await dryRun(file, opts);
      } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
      }
    });
}
