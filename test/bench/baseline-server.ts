// Bench child: the baselines Subflow's subscribe is compared with, served by Hono like Subflow.
//   hello            answers the subscribe path without touching a database (the HTTP ceiling)
//   minimal DB_URL   writes the same contact, consent, event and outbox rows with raw SQL
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import SqliteDatabase from 'better-sqlite3';
import { Hono } from 'hono';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { capabilitiesFor } from '../../server/db/dialect.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { serveAsBenchChild } from './child-ipc.ts';

const SUBSCRIBE_PATH = '/v1/forms/newsletter/subscribe';
const ACCEPTED = { status: 'accepted', message: 'Thanks! Check your inbox to confirm.' };

/** One subscribe's writes; returns when they are committed. */
type WriteSubscriber = (email: string, ip: string, userAgent: string | null) => Promise<void>;

// Stand-ins of the size of the real confirmation mail; the baseline renders no template.
const SUBJECT = 'Please confirm your subscription';
const confirmUrl = () => `http://localhost/confirm/${randomBytes(32).toString('base64url')}`;
const textBody = (url: string) => `Please confirm your subscription.\n\nConfirm:\n${url}\n`;
const htmlBody = (url: string) =>
  `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5"><p>Please confirm ` +
  `your subscription.</p><p><a href="${url}" style="display:inline-block;padding:10px 18px;` +
  `background:#1f6feb;color:#fff">Confirm</a></p><p>${url}</p></body></html>`;

/** SQLite, opened with the server's pragmas; one synchronous transaction per subscribe. */
async function sqliteWriter(path: string): Promise<WriteSubscriber> {
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  await migrateToLatest(
    new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) }),
    capabilitiesFor('sqlite'),
  );
  const contact = sqlite.prepare(
    `insert into contacts (email, fields, status, source, created_at, updated_at)
     values (?, '{}', 'unconfirmed', 'form:newsletter', ?, ?) returning id`,
  );
  const consent = sqlite.prepare(
    `insert into consents (contact_id, kind, form_type, ip, user_agent, created_at)
     values (?, 'subscribe', 'newsletter', ?, ?, ?)`,
  );
  const event = sqlite.prepare(
    `insert into events (type, key, contact_id, params, created_at)
     values ('subscribeFromApi-newsletter', ?, ?, ?, ?)`,
  );
  const outbox = sqlite.prepare(
    `insert into outbox (kind, idempotency_key, contact_id, to_address, subject, text_body,
       html_body, headers, status, next_attempt_at, created_at)
     values ('confirmation', ?, ?, ?, ?, ?, ?, '{}', 'pending', ?, ?)`,
  );
  const write = sqlite.transaction((email: string, ip: string, ua: string | null) => {
    const now = Date.now();
    const { id } = contact.get(email, now, now) as { id: number };
    consent.run(id, ip, ua, now);
    event.run(String(id), id, JSON.stringify({ ContactId: id, EmailAddress: email }), now);
    const url = confirmUrl();
    outbox.run(`confirm:${id}`, id, email, SUBJECT, textBody(url), htmlBody(url), now, now);
  });
  return async (email, ip, ua) => write(email, ip, ua);
}

/** PostgreSQL with a pool of the server's size; named (prepared) statements in one transaction. */
async function postgresWriter(url: string): Promise<WriteSubscriber> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await migrateToLatest(
    new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }),
    capabilitiesFor('postgres'),
  );
  return async (email, ip, ua) => {
    const client = await pool.connect();
    try {
      const now = Date.now();
      await client.query('begin');
      const { rows } = await client.query<{ id: string }>({
        name: 'contact',
        text: `insert into contacts (email, fields, status, source, created_at, updated_at)
               values ($1, '{}', 'unconfirmed', 'form:newsletter', $2, $2) returning id`,
        values: [email, now],
      });
      const id = Number(rows[0]?.id);
      await client.query({
        name: 'consent',
        text: `insert into consents (contact_id, kind, form_type, ip, user_agent, created_at)
               values ($1, 'subscribe', 'newsletter', $2, $3, $4)`,
        values: [id, ip, ua, now],
      });
      await client.query({
        name: 'event',
        text: `insert into events (type, key, contact_id, params, created_at)
               values ('subscribeFromApi-newsletter', $1, $2, $3, $4)`,
        values: [String(id), id, JSON.stringify({ ContactId: id, EmailAddress: email }), now],
      });
      const link = confirmUrl();
      await client.query({
        name: 'outbox',
        text: `insert into outbox (kind, idempotency_key, contact_id, to_address, subject,
                 text_body, html_body, headers, status, next_attempt_at, created_at)
               values ('confirmation', $1, $2, $3, $4, $5, $6, '{}', 'pending', $7, $7)`,
        values: [`confirm:${id}`, id, email, SUBJECT, textBody(link), htmlBody(link), now],
      });
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  };
}

const [mode, databaseUrl] = process.argv.slice(2);
let write: WriteSubscriber | undefined;
if (mode === 'minimal') {
  if (!databaseUrl) throw new Error('usage: baseline-server.ts minimal sqlite:PATH|postgres://…');
  write = databaseUrl.startsWith('sqlite:')
    ? await sqliteWriter(databaseUrl.slice('sqlite:'.length))
    : await postgresWriter(databaseUrl);
} else if (mode !== 'hello') {
  throw new Error(`unknown baseline mode ${mode}; expected hello or minimal`);
}

const app = new Hono();
app.post(SUBSCRIBE_PATH, async (c) => {
  // Both modes read the JSON body: parsing it is part of the HTTP cost Subflow also pays.
  const { email } = (await c.req.json()) as { email: string };
  await write?.(email, '127.0.0.1', c.req.header('user-agent') ?? null);
  return c.json(ACCEPTED, 202);
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
server.once('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  serveAsBenchChild(port, () => new Promise((resolve) => server.close(() => resolve())));
});
