// Reads and validates the environment once at start-up; a bad value names its variable.
import { z } from 'zod';
import { type DkimSigning, dkimFromEnv } from './deliverability/dkim.ts';
import { MAX_BOUNCE_LOCAL_PART } from './deliverability/feedback/return-path.ts';

const databaseUrl = z.string().refine((v) => /^sqlite:/.test(v) || /^postgres(ql)?:\/\//.test(v), {
  message: 'expected sqlite:PATH, sqlite::memory: or postgres://…',
});

const days = () =>
  z.coerce.number().int('expected a whole number of days').min(0, '0 keeps forever');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: databaseUrl.default('sqlite:data/subflow.db'),
  /** PostgreSQL connections per process (beside up to 3 for counters and 1 for the work listener); unused on SQLite. */
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(2, 'must be at least 2')
    .max(1000, 'must be at most 1000')
    .default(10),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected smtp://user:pass@host:port or smtps://…')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Subflow <no-reply@localhost>'),
  WORKFLOWS_DIR: z.string().min(1).default('workflows'),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  BOOTSTRAP_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  SUBSCRIBE_RATE_LIMIT: z.coerce.number().int().positive().default(60),
  /** /api/v1 requests per minute per API key (the bootstrap key included). */
  API_RATE_LIMIT: z.coerce.number().int().positive().default(1200),
  /** Proxies in front of the server: `true` is one, `false` none, a number that many. */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, 'expected true, false or a number of proxies (0–99)')
    .default('false')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
  /** Serve /dev/mailbox: unset means only while listening on loopback. */
  DEV_MAILBOX: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Retention in days, 0 = keep forever (background/workers/retention.ts). */
  RETENTION_EVENTS_DAYS: days().default(90),
  RETENTION_MAIL_DAYS: days().default(30),
  RETENTION_ACTIVITIES_DAYS: days().default(365),
  RETENTION_CONSENTS_DAYS: days().default(30),
  /** Unset: WORKFLOW_RETENTION_DAYS (its older name), else 30. */
  RETENTION_RUNS_DAYS: days().optional(),
  WORKFLOW_RETENTION_DAYS: days().optional(),
  /** Serve /metrics (Prometheus text) on the main port; METRICS_PORT serves it on its own. */
  METRICS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Confirmation mails an hour per recipient domain and per form; beyond them mail is paced. */
  CONFIRMATIONS_PER_DOMAIN: z.coerce.number().int().positive().optional(),
  CONFIRMATIONS_PER_FORM: z.coerce.number().int().positive().optional(),
  /** Leading zero bits the widget's proof of work needs: each one doubles the expected work. */
  CHALLENGE_DIFFICULTY: z.coerce.number().int().min(1).max(32).default(13),
  /**
   * An adaptive form requires the proof of work once, within the last 10 minutes, the form took
   * this many subscribes, or the subscriber's mail domain was sent this many confirmation mails.
   */
  CHALLENGE_FORM_RATE: z.coerce.number().int().positive().default(100),
  CHALLENGE_DOMAIN_RATE: z.coerce.number().int().positive().default(100),
  /** Cloudflare Turnstile's secret, for forms that set a `turnstileSiteKey`. */
  TURNSTILE_SECRET_KEY: z.string().min(1).optional(),
  TURNSTILE_VERIFY_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  /** Largest CSV an import takes: an upload's body, or a file fetched from a URL. */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Longest a file URL import may take to download, in seconds. */
  IMPORT_FETCH_TIMEOUT_S: z.coerce.number().positive().default(300),
  /** `true`: a file URL import may fetch from loopback, private and link-local addresses. */
  IMPORT_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** `false`: no open pixel and no click redirects in any mail (a workflow can also say so). */
  TRACKING: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** DKIM signing of every mail (deliverability/dkim.ts): all unset, or a domain, selector and key. */
  DKIM_DOMAIN: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'expected a domain like example.com')
    .optional(),
  DKIM_SELECTOR: z
    .string()
    .regex(/^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/i, 'expected a selector like subflow')
    .optional(),
  DKIM_PRIVATE_KEY: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),
  /** Each mail's envelope sender is a signed `+` sub-address of it (feedback/return-path.ts). */
  BOUNCE_ADDRESS: z
    .email('expected an address like bounces@example.com')
    .refine(
      (v) => v.lastIndexOf('@') <= MAX_BOUNCE_LOCAL_PART,
      `expected at most ${MAX_BOUNCE_LOCAL_PART} characters before the @ (the signed part follows them)`,
    )
    .optional(),
  /** The bounce mailbox: an SMTP receiver for DSN and ARF reports (unset: not started). */
  BOUNCE_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  BOUNCE_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Tunables that are not part of the env contract; tests shorten them. */
export interface Timings {
  /** Minimum ms between a widget render and its submit; faster submits are treated as bots. */
  minFillMs: number;
  confirmTokenTtlMs: number;
  /**
   * Confirmation mails per mailbox (lower-cased, `+tag` dropped, so `ann+1@` and `ann+2@` count
   * as `ann@`): at most one per form per `cooldownMs`, at most `perDay` a day.
   */
  confirmationCooldownMs: number;
  confirmationsPerDay: number;
  /**
   * Confirmation mails per recipient domain, and per form, within `confirmationBudgetWindowMs`: a
   * brake on floods of made-up addresses, set far above what a launch sends to one mail provider.
   * Beyond a budget mail is not dropped but paced (confirm/confirmation-pacing.ts).
   */
  confirmationsPerDomain: number;
  confirmationsPerForm: number;
  confirmationBudgetWindowMs: number;
  /** How long an issued proof-of-work challenge can be solved and sent. */
  challengeTtlMs: number;
  /** The recent past over which an adaptive form's rates are counted (CHALLENGE_*_RATE). */
  challengeRateWindowMs: number;
  /** How long a counted rate is reused before it is counted again (per process). */
  challengeRateCacheMs: number;
  mailFirstBackoffMs: number;
  mailMaxBackoffMs: number;
  mailMaxAttempts: number;
  mailLeaseMs: number;
  mailPollMs: number;
  shutdownGraceMs: number;
  /** Backstop poll of the workflow engine; new events and due timers wake it sooner. */
  enginePollMs: number;
  /** How long a worker holds a run; above the longest step (a webhook's 60 s timeout). */
  engineLeaseMs: number;
  /** How often a process proves it is alive, and reaps the claims of peers that stopped. */
  workerHeartbeatMs: number;
  /** Silence after which a peer counts as dead; a crash on this host is seen at once instead. */
  workerStaleMs: number;
  /** Backstop poll of the import worker; a new import wakes it sooner. */
  importPollMs: number;
  /** How long a worker holds an import between two chunks (each chunk renews it). */
  importLeaseMs: number;
  /** First wait after a chunk failed as a whole (a database error), doubling from there. */
  importRetryMs: number;
  /** Chunk failures in a row after which an import is `failed`. */
  importMaxAttempts: number;
  /** An upload that stored no rows for this long was abandoned (its process died). */
  importUploadStaleMs: number;
  /** Time between two retention passes (RETENTION_*_DAYS). */
  retentionEveryMs: number;
}

export const defaultTimings: Timings = {
  minFillMs: 1500,
  confirmTokenTtlMs: 7 * 24 * 3600_000,
  confirmationCooldownMs: 10 * 60_000,
  confirmationsPerDay: 5,
  confirmationsPerDomain: 3000,
  confirmationsPerForm: 10_000,
  confirmationBudgetWindowMs: 3600_000,
  challengeTtlMs: 10 * 60_000,
  challengeRateWindowMs: 10 * 60_000,
  challengeRateCacheMs: 1_000,
  mailFirstBackoffMs: 2_000,
  mailMaxBackoffMs: 10 * 60_000,
  mailMaxAttempts: 40,
  mailLeaseMs: 60_000,
  mailPollMs: 1_000,
  shutdownGraceMs: 10_000,
  enginePollMs: 1_000,
  engineLeaseMs: 2 * 60_000,
  // A crash on this host is seen after two missed beats (2 s), on another host after 5 s of
  // silence: a live process's event loop never stalls that long, so its claims are safe.
  workerHeartbeatMs: 1_000,
  workerStaleMs: 5_000,
  importPollMs: 1_000,
  importLeaseMs: 60_000,
  importRetryMs: 2_000,
  importMaxAttempts: 5,
  importUploadStaleMs: 10 * 60_000,
  retentionEveryMs: 10 * 60_000,
};

export interface Config
  extends Omit<Env, 'PUBLIC_URL' | 'RETENTION_RUNS_DAYS' | 'WORKFLOW_RETENTION_DAYS'> {
  PUBLIC_URL: string;
  RETENTION_RUNS_DAYS: number;
  timings: Timings;
  /** Set when the DKIM_* variables are: what the SMTP transport signs with. */
  dkim?: DkimSigning;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses an environment (normally `process.env`) into a Config.
 * @example loadConfig({ PORT: '3000' }).PUBLIC_URL // 'http://localhost:3000'
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  timings: Partial<Timings> = {},
): Config {
  const blankAsUnset = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(blankAsUnset);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dkim = dkimFromEnv(e);
  if (dkim.issues.length > 0) {
    const lines = dkim.issues.map((i) => `  ${i.variable}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // The mailbox takes reports only at the signed sub-addresses of BOUNCE_ADDRESS.
  if (e.BOUNCE_SMTP_PORT !== undefined && !e.BOUNCE_ADDRESS) {
    throw new ConfigError(
      'Invalid configuration:\n  BOUNCE_SMTP_PORT: needs BOUNCE_ADDRESS (reports are taken only at its signed sub-addresses)',
    );
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  // The budgets are the operator's to set; tests shorten their window through `timings`.
  const budgets: Partial<Timings> = {};
  if (e.CONFIRMATIONS_PER_DOMAIN) budgets.confirmationsPerDomain = e.CONFIRMATIONS_PER_DOMAIN;
  if (e.CONFIRMATIONS_PER_FORM) budgets.confirmationsPerForm = e.CONFIRMATIONS_PER_FORM;
  return {
    ...e,
    PUBLIC_URL: publicUrl,
    RETENTION_RUNS_DAYS: e.RETENTION_RUNS_DAYS ?? e.WORKFLOW_RETENTION_DAYS ?? 30,
    timings: { ...defaultTimings, ...budgets, ...timings },
    ...(dkim.signing ? { dkim: dkim.signing } : {}),
  };
}

/** What RETENTION_*_DAYS keep, for background/workers/retention.ts. */
export function retentionPolicy(config: Config) {
  return {
    eventsDays: config.RETENTION_EVENTS_DAYS,
    mailDays: config.RETENTION_MAIL_DAYS,
    activitiesDays: config.RETENTION_ACTIVITIES_DAYS,
    consentsDays: config.RETENTION_CONSENTS_DAYS,
    runsDays: config.RETENTION_RUNS_DAYS,
  };
}
