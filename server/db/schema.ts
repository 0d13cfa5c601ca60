// Kysely table types. Times are epoch milliseconds; JSON columns hold text; booleans are 0/1.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Json = string;

export type ContactStatus = 'unconfirmed' | 'confirmed' | 'unsubscribed' | 'bounced' | 'deleted';

export interface ContactsTable {
  id: Generated<number>;
  email: string | null;
  phone: string | null;
  phone_meta: Json | null;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  address: Json | null;
  fields: Json;
  status: ContactStatus;
  source: string;
  email_confirmed_at: number | null;
  unsubscribed_at: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Orders the change feed: the writing transaction's id on PostgreSQL, a counter on SQLite. */
  change_seq: ColumnType<number, number | undefined, number>;
  status_before_delete: ContactStatus | null;
}

export type FieldType = 'text' | 'number' | 'date' | 'boolean' | 'enum';

/** A custom field's declared type: values written to `contacts.fields[key]` must match it. */
export interface FieldDefinitionsTable {
  key: string;
  type: FieldType;
  label: string | null;
  /** JSON array of allowed values, for `enum`. */
  options: Json | null;
  created_at: number;
  updated_at: number;
}

export interface ConsentsTable {
  id: Generated<number>;
  contact_id: number;
  kind: 'subscribe' | 'confirm' | 'unsubscribe';
  form_type: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
}

export interface FormsTable {
  id: string;
  config: Json;
  created_at: number;
  updated_at: number;
}

export interface GroupsTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface ContactGroupsTable {
  contact_id: number;
  group_id: number;
  created_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  key: string;
  contact_id: number | null;
  params: Json;
  created_at: number;
  dispatched_at: number | null;
}

/** `cancelled`: never sent, because its contact was deleted before it went out. */
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  idempotency_key: string;
  contact_id: number | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: Json;
  status: OutboxStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: number;
  locked_until: number | null;
  /** The worker (process) holding the claim; see background/worker-registry.ts. */
  locked_by: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: number;
  sent_at: number | null;
  /** The workflow and step that queued it (workflow mail only). */
  workflow: string | null;
  step: string | null;
  /** 1: its links and opens are tracked (server/deliverability/tracking/). */
  tracked: ColumnType<number, number | undefined, number>;
}

export interface ConfirmTokensTable {
  id: Generated<number>;
  token_hash: string;
  contact_id: number;
  email: string;
  form_type: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
  /** The address lower-cased with its `+tag` dropped: what the confirmation throttle counts. */
  mailbox: string | null;
  domain: string | null;
  /** JSON `SubscriberFills` an anonymous post left for an existing contact, applied on confirm. */
  fills: Json | null;
}

/** A form's group that a contact joins once that form's confirmation link is used. */
export interface PendingGroupsTable {
  contact_id: number;
  group_id: number;
  form_type: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  key_hash: string;
  prefix: string;
  scopes: Json;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A proof-of-work challenge already used; kept until it expires, so it cannot be used again. */
export interface SpentChallengesTable {
  id: string;
  expires_at: number;
}

/** A paced mail budget (`domain:<domain>`, `form:<id>`): booked up to `booked_until`. */
export interface MailBudgetsTable {
  key: string;
  booked_until: number;
}

/**
 * A request budget shared by processes on PostgreSQL (`ip:<keyed hash of the address>`,
 * `api-key:<id>`), written only by rate-limiter-flexible through http/rate-limit.ts; `expire` ends
 * the current minute's window.
 */
export interface RateLimitsTable {
  key: string;
  points: number;
  expire: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface DevMailboxTable {
  id: Generated<number>;
  outbox_id: number;
  message_id: string;
  from_address: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: Json;
  created_at: number;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface ContactTagsTable {
  contact_id: number;
  tag_id: number;
  created_at: number;
}

export interface WorkflowVersionsTable {
  id: Generated<number>;
  name: string;
  version: string;
  definition: Json;
  created_at: number;
}

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';

export interface WorkflowRunsTable {
  id: Generated<number>;
  workflow: string;
  version_id: number;
  contact_id: number | null;
  trigger_event_id: number;
  exclusive: number;
  status: RunStatus;
  pc: ColumnType<number, number | undefined, number>;
  state: Json;
  waiting_for: string | null;
  due_at: number | null;
  locked_until: number | null;
  locked_by: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export type StepStatus = 'running' | 'waiting' | 'completed' | 'failed';

export interface WorkflowStepsTable {
  id: Generated<number>;
  run_id: number;
  step_id: string;
  iteration: number;
  op: string;
  status: StepStatus;
  attempts: ColumnType<number, number | undefined, number>;
  output: Json | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

/** One live Subflow process that may hold claims; rows of dead ones are reaped with their claims. */
export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
}

/** `receiving`: the source is still being stored (an upload); nothing claims it until `queued`. */
export type ImportStatus = 'receiving' | 'queued' | 'running' | 'done' | 'failed';
export type ImportKind = 'contacts' | 'csv';

/** An import session: a leased queue row like the outbox's; `processed` is the offset reached. */
export interface ImportsTable {
  id: Generated<number>;
  kind: ImportKind;
  status: ImportStatus;
  /** JSON: the rules every row is imported by (imports/import-options.ts). */
  options: Json;
  /** The `source` of contacts it creates, e.g. `import:api:crm`. */
  source: string;
  total: ColumnType<number, number | undefined, number>;
  processed: ColumnType<number, number | undefined, number>;
  created: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  skipped: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  /** Chunk attempts that failed in a row (not row failures); reset by each imported chunk. */
  attempts: ColumnType<number, number | undefined, number>;
  error: string | null;
  locked_until: number | null;
  locked_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** Rows of an import still to do, `first_index` .. `first_index + row_count - 1`, as a JSON array. */
export interface ImportChunksTable {
  import_id: number;
  first_index: number;
  row_count: number;
  rows: Json;
}

export interface ImportFailuresTable {
  import_id: number;
  row_index: number;
  reason: string;
  /** JSON: the row as it was given. */
  row: Json;
}

export type ActivityAction =
  | 'sent'
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'bounced'
  | 'complained'
  | 'unsubscribed';

/** One thing that happened to a mail or because of one (server/deliverability/activities/). */
export interface ActivitiesTable {
  id: Generated<number>;
  action: ActivityAction;
  contact_id: number | null;
  outbox_id: number | null;
  message_id: string | null;
  /** Set only when no contact has the address (feedback about an unknown recipient). */
  email: string | null;
  workflow: string | null;
  step: string | null;
  url: string | null;
  /** JSON: what else is known (a bounce's type, status and diagnostic). */
  detail: Json | null;
  created_at: number;
}

export type SuppressionReason = 'bounce' | 'complaint' | 'manual';

/** An address (lower-cased) that no mail is queued for. */
export interface SuppressionsTable {
  id: Generated<number>;
  email: string;
  reason: SuppressionReason;
  detail: string | null;
  created_at: number;
}

export interface Database {
  activities: ActivitiesTable;
  suppressions: SuppressionsTable;
  contacts: ContactsTable;
  consents: ConsentsTable;
  forms: FormsTable;
  groups: GroupsTable;
  contact_groups: ContactGroupsTable;
  pending_groups: PendingGroupsTable;
  events: EventsTable;
  outbox: OutboxTable;
  confirm_tokens: ConfirmTokensTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
  spent_challenges: SpentChallengesTable;
  mail_budgets: MailBudgetsTable;
  rate_limits: RateLimitsTable;
  dev_mailbox: DevMailboxTable;
  tags: TagsTable;
  contact_tags: ContactTagsTable;
  workflow_versions: WorkflowVersionsTable;
  workflow_runs: WorkflowRunsTable;
  workflow_steps: WorkflowStepsTable;
  workers: WorkersTable;
  field_definitions: FieldDefinitionsTable;
  imports: ImportsTable;
  import_chunks: ImportChunksTable;
  import_failures: ImportFailuresTable;
}

export type ContactRow = Selectable<ContactsTable>;
export type NewContact = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type EventRow = Selectable<EventsTable>;
export type RunRow = Selectable<WorkflowRunsTable>;
export type StepRow = Selectable<WorkflowStepsTable>;
export type WorkerRow = Selectable<WorkersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type ImportRow = Selectable<ImportsTable>;
export type ActivityRow = Selectable<ActivitiesTable>;
export type SuppressionRow = Selectable<SuppressionsTable>;
