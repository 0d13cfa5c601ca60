// CORS for a form's public endpoints: only the form's listed origins (an empty list allows any).
import type { Context } from 'hono';
import type { Form } from '../forms/form-schema.ts';

export function originAllowed(form: Form, origin: string | undefined): boolean {
  if (!origin || form.allowedOrigins.length === 0) return true;
  return form.allowedOrigins.includes(origin);
}

/** Sets the CORS response headers when the request's origin may use this form. */
export function applyFormCors(c: Context, form: Form): void {
  const origin = c.req.header('origin');
  c.header('Vary', 'Origin');
  if (!origin || !originAllowed(form, origin)) return;
  c.header('Access-Control-Allow-Origin', origin);
  c.header('Access-Control-Expose-Headers', 'Retry-After');
}

export function preflightHeaders(c: Context): void {
  c.header('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
  c.header('Access-Control-Allow-Headers', 'Content-Type');
  c.header('Access-Control-Max-Age', '600');
}
