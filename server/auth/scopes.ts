// The API key scopes: imported by the server's key checks and by the admin console, so no imports.
export const scopes = [
  'admin',
  'contacts:read',
  'contacts:write',
  'forms:read',
  'forms:write',
  'events:read',
  'events:write',
  'workflows:read',
  'workflows:write',
  'deliverability:read',
  'deliverability:write',
] as const;
export type Scope = (typeof scopes)[number];
