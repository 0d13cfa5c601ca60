// The API key scopes the console offers; test/admin-scopes.test.ts keeps them equal to the server's.
export const SCOPES = [
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
];
