// The console's key form offers every scope the API knows: a scope added on the server and missing
// there could not be given to a key from the console (the deliverability scopes were).
import { describe, expect, it } from 'vitest';
import { SCOPES } from '../admin/scopes.ts';
import { scopes } from '../server/auth/api-keys.ts';

describe('admin console scopes', () => {
  it('are the API’s scopes, in its order', () => {
    expect(SCOPES).toEqual(scopes);
  });
});
