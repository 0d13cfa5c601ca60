// The suppression list's key for an address; its own module so the outbox can read it without a cycle.

/** Suppression is by address, whatever its case: `Ann@Example.com` is `ann@example.com`. */
export const suppressionKey = (email: string) => email.trim().toLowerCase();
