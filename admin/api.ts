// The console's only way to the server: the public /api/v1 with the signed-in key as a Bearer token.
import type { Scope } from '../server/auth/scopes.ts';

const KEY_STORAGE = 'subflow.apiKey';

/** The key lives in sessionStorage: gone when the tab closes, never sent as a cookie or in a URL. */
export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  signIn: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  signOut: () => sessionStorage.removeItem(KEY_STORAGE),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Called when the server refuses the key (401), so the app can show the sign-in again. */
let onUnauthorized: () => void = () => {};
export const whenUnauthorized = (handler: () => void) => {
  onUnauthorized = handler;
};

/** A query string from the entries that have a value. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; key?: string } = {},
): Promise<T> {
  const key = init.key ?? session.key();
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${key ?? ''}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'omit',
  });
  if (res.status === 204) return undefined as T;
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && init.key === undefined) onUnauthorized();
    const error = body?.error ?? {};
    throw new ApiError(res.status, error.message ?? `HTTP ${res.status}`, error.issues ?? []);
  }
  return body as T;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Contact {
  id: number;
  email: string | null;
  phone: string | null;
  phoneMeta: Record<string, unknown> | null;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  fields: Record<string, unknown>;
  status: string;
  source: string;
  groups: string[];
  pendingGroups: string[];
  tags: string[];
  emailConfirmedAt: string | null;
  unsubscribedAt: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface EventItem {
  id: number;
  type: string;
  key: string;
  contactId: number | null;
  params: Record<string, unknown>;
  createdAt: string;
}

export interface FormField {
  name: string;
  type: 'email' | 'tel' | 'text' | 'textarea' | 'checkbox' | 'number';
  label?: string;
  required: boolean;
  maxLength: number;
}

export interface Form {
  id: string;
  name: string;
  groups: string[];
  fields: FormField[];
  allowedOrigins: string[];
  doubleOptIn: boolean;
  requireConsent: boolean;
  defaultCountry: string | null;
  texts: Record<string, string | undefined>;
  /** The widget's texts per language code, over `texts`. */
  translations: Record<string, Record<string, string | undefined> | undefined>;
  redirectUrls: { success?: string | null; confirmed?: string | null };
  botDefence: { challenge: string; turnstileSiteKey: string | null };
  createdAt?: string;
  updatedAt?: string;
}

export interface Run {
  id: number;
  workflow: string;
  versionId: number;
  contactId: number | null;
  status: string;
  waitingFor: string | null;
  dueAt: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Step {
  stepId: string;
  op: string;
  status: string;
  attempts: number;
  output: unknown;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export type RunCounts = Record<
  'running' | 'waiting' | 'completed' | 'failed' | 'cancelled',
  number
>;

export interface ApiKey {
  id: number;
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
