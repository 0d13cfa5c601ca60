import { describe, expect, it } from 'vitest';
import { loadConfig, retentionPolicy } from './config.ts';
import { metricsServing } from './metrics/metrics-routes.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8787,
      HOST: '127.0.0.1',
      PUBLIC_URL: 'http://localhost:8787',
      DATABASE_URL: 'sqlite:data/subflow.db',
      MAIL_FROM: 'Subflow <no-reply@localhost>',
      WORKFLOWS_DIR: 'workflows',
      SUBSCRIBE_RATE_LIMIT: 60,
      API_RATE_LIMIT: 1200,
    });
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('applies the bot defence defaults and puts the confirmation budgets into the timings', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      CHALLENGE_DIFFICULTY: 13,
      CHALLENGE_FORM_RATE: 100,
      CHALLENGE_DOMAIN_RATE: 100,
      TURNSTILE_VERIFY_URL: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
      timings: { confirmationsPerDomain: 3000, confirmationsPerForm: 10_000 },
    });
    expect(config.TURNSTILE_SECRET_KEY).toBeUndefined();
    const set = loadConfig({ CONFIRMATIONS_PER_DOMAIN: '50', CONFIRMATIONS_PER_FORM: '70' });
    expect(set.timings).toMatchObject({ confirmationsPerDomain: 50, confirmationsPerForm: 70 });
    expect(() => loadConfig({ CHALLENGE_DIFFICULTY: '40' })).toThrow(/CHALLENGE_DIFFICULTY/);
  });

  it('reads retention in days (0 keeps forever), that of runs under its older name too', () => {
    expect(retentionPolicy(loadConfig({}))).toEqual({
      eventsDays: 90,
      mailDays: 30,
      activitiesDays: 365,
      consentsDays: 30,
      runsDays: 30,
    });
    expect(retentionPolicy(loadConfig({ RETENTION_MAIL_DAYS: '0' })).mailDays).toBe(0);
    expect(retentionPolicy(loadConfig({ WORKFLOW_RETENTION_DAYS: '7' })).runsDays).toBe(7);
    const both = loadConfig({ WORKFLOW_RETENTION_DAYS: '7', RETENTION_RUNS_DAYS: '3' });
    expect(retentionPolicy(both).runsDays).toBe(3);
    expect(() => loadConfig({ RETENTION_EVENTS_DAYS: '-1' })).toThrow(/RETENTION_EVENTS_DAYS/);
    expect(() => loadConfig({ RETENTION_CONSENTS_DAYS: '1.5' })).toThrow(/RETENTION_CONSENTS_DAYS/);
  });

  it('keeps metrics off unless METRICS or METRICS_PORT is set', () => {
    expect(metricsServing(loadConfig({}))).toBe('off');
    expect(metricsServing(loadConfig({ METRICS: 'true' }))).toBe('main');
    expect(metricsServing(loadConfig({ METRICS_PORT: '9464' }))).toBe('own-port');
    expect(metricsServing(loadConfig({ METRICS: 'true', METRICS_PORT: '0' }))).toBe('own-port');
    expect(() => loadConfig({ METRICS: 'yes' })).toThrow(/METRICS/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });

  it('reads the PostgreSQL pool size and refuses one that cannot work', () => {
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '25' }).DATABASE_POOL_SIZE).toBe(25);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '1' })).toThrow(
      /DATABASE_POOL_SIZE: must be at least 2/,
    );
  });

  it('derives PUBLIC_URL from PORT and drops a trailing slash', () => {
    expect(loadConfig({ PORT: '3000' }).PUBLIC_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PUBLIC_URL: 'https://lists.example.com/' }).PUBLIC_URL).toBe(
      'https://lists.example.com',
    );
  });

  it('names every bad variable', () => {
    expect(() =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        SMTP_URL: 'http://x',
        SECRET_KEY: 'short',
      }),
    ).toThrow(/PORT:[\s\S]*DATABASE_URL:[\s\S]*SMTP_URL:[\s\S]*SECRET_KEY: must be at least 32/);
  });

  it('takes API_RATE_LIMIT as a positive whole number of requests per minute', () => {
    expect(loadConfig({ API_RATE_LIMIT: '30' }).API_RATE_LIMIT).toBe(30);
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      expect(() => loadConfig({ API_RATE_LIMIT: bad })).toThrow(/API_RATE_LIMIT:/);
    }
  });

  it('starts the bounce mailbox only with a BOUNCE_ADDRESS whose sub-addresses fit', () => {
    const port = { BOUNCE_SMTP_PORT: '2525' };
    expect(() => loadConfig(port)).toThrow(/BOUNCE_SMTP_PORT: needs BOUNCE_ADDRESS/);
    const config = loadConfig({ ...port, BOUNCE_ADDRESS: 'bounces@mail.example.com' });
    expect(config.BOUNCE_SMTP_PORT).toBe(2525);
    expect(() => loadConfig({ BOUNCE_ADDRESS: `${'b'.repeat(33)}@mail.example.com` })).toThrow(
      /BOUNCE_ADDRESS: expected at most 32 characters before the @/,
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ SMTP_URL: '', PORT: '' }).PORT).toBe(8787);
  });
});
