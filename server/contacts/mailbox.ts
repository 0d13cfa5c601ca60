// The mailbox behind an address: sub-addresses (`ann+news@`) reach the same inbox as `ann@`.

export interface Mailbox {
  /** Lower-cased, `+tag` dropped: `ann@example.com` for `Ann+News@Example.com`. */
  mailbox: string;
  /** Lower-cased recipient domain. */
  domain: string;
}

/** @example mailboxOf('Ann+news@Example.com') // { mailbox: 'ann@example.com', domain: 'example.com' } */
export function mailboxOf(email: string): Mailbox {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).toLowerCase();
  const domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  return { mailbox: `${plus > 0 ? local.slice(0, plus) : local}@${domain}`, domain };
}
