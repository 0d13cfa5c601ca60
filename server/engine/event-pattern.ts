// Event names and globs (`subscribeFromApi*`): `*` matches any run of characters, nothing else is special.

const cache = new Map<string, RegExp>();

export function matchesEventPattern(pattern: string, type: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    re = new RegExp(`^${body.join('.*')}$`);
    cache.set(pattern, re);
  }
  return re.test(type);
}

export const matchesAny = (patterns: string[], type: string): boolean =>
  patterns.some((p) => matchesEventPattern(p, type));
