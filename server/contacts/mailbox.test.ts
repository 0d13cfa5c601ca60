import { describe, expect, it } from 'vitest';
import { mailboxOf } from './mailbox.ts';

describe('mailboxOf', () => {
  it('lower-cases and drops the +tag', () => {
    expect(mailboxOf('Ann+News@Example.COM')).toEqual({
      mailbox: 'ann@example.com',
      domain: 'example.com',
    });
    expect(mailboxOf('victim+1+2@x.io').mailbox).toBe('victim@x.io');
  });

  it('keeps a local part that only starts with +', () => {
    expect(mailboxOf('+ann@example.com').mailbox).toBe('+ann@example.com');
  });
});
