// The API's last route: a known path with another method is a 405 naming its methods, else a 404.
import { TrieRouter } from 'hono/router/trie-router';
import { MethodNotAllowedError, NotFoundError } from '../errors.ts';
import type { ApiApp } from './api-app.ts';

/** `use()` middleware and `all()` routes are registered under this method, for every method. */
const ANY_METHOD = 'ALL';

/** The methods each path pattern answers, from the routes registered on the app. */
class MethodTable {
  private readonly router = new TrieRouter<string>();
  private readonly methods: string[];

  constructor(routes: readonly { method: string; path: string }[]) {
    const methods = new Set<string>();
    for (const { method, path } of routes) {
      if (method === ANY_METHOD) continue;
      methods.add(method);
      this.router.add(method, path, method);
    }
    this.methods = [...methods];
  }

  /** Sorted, with HEAD wherever GET is: Hono answers HEAD with the GET route. */
  allowed(path: string): string[] {
    const allowed = this.methods.filter((m) => this.router.match(m, path)[0].length > 0);
    if (allowed.includes('GET')) allowed.push('HEAD');
    return allowed.sort();
  }
}

/**
 * Registers the fallback; call it after every other route of `api`, which is mounted at
 * `basePath`. The method table is built on first use, once every route is there.
 */
export function registerApiFallback(api: ApiApp, basePath: string): void {
  let table: MethodTable | undefined;
  api.all('*', function apiFallback(c) {
    table ??= new MethodTable(api.routes);
    const path = c.req.path.slice(basePath.length) || '/';
    const allowed = table.allowed(path);
    if (allowed.length) {
      throw new MethodNotAllowedError(
        allowed,
        `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
      );
    }
    throw new NotFoundError(`no route for ${c.req.method} ${c.req.path}`);
  });
}
