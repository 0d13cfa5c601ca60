// The API's last route: a known path with another method is a 405 naming its methods, else a 404.

import type { Context } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import type { ZodType } from 'zod';
import { MethodNotAllowedError, NotFoundError } from '../errors.ts';
import type { ApiApp } from './api-app.ts';

/** `use()` middleware and `all()` routes are registered under this method, for every method. */
const ANY_METHOD = 'ALL';

/** A route as the table knows it: its method and the schema its path parameters must pass. */
interface RouteEntry {
  method: string;
  params: ZodType | undefined;
}

/** The path parameter schemas of the documented routes, by `METHOD /hono/:path`. */
function paramSchemas(api: ApiApp): Map<string, ZodType> {
  const schemas = new Map<string, ZodType>();
  for (const definition of api.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const { method, path, request } = definition.route;
    const params = request?.params as ZodType | undefined;
    if (params) schemas.set(`${method.toUpperCase()} ${path.replace(/{(\w+)}/g, ':$1')}`, params);
  }
  return schemas;
}

/** The methods each path pattern answers, from the routes registered on the app. */
class MethodTable {
  private readonly router = new TrieRouter<RouteEntry>();
  private readonly methods: string[];

  constructor(api: ApiApp) {
    const schemas = paramSchemas(api);
    const methods = new Set<string>();
    for (const { method, path } of api.routes) {
      if (method === ANY_METHOD) continue;
      methods.add(method);
      this.router.add(method, path, { method, params: schemas.get(`${method} ${path}`) });
    }
    this.methods = [...methods];
  }

  /**
   * Sorted, with HEAD wherever GET is: Hono answers HEAD with the GET route. A route counts only
   * when the path's values pass its parameter schema: `PUT /contacts/changes` is no contact's PUT.
   */
  allowed(path: string): string[] {
    const allowed = this.methods.filter((m) =>
      this.router
        .match(m, path)[0]
        .some(([entry, params]) => !entry.params || entry.params.safeParse(params).success),
    );
    if (allowed.includes('GET')) allowed.push('HEAD');
    return allowed.sort();
  }
}

const fallbacks = new WeakMap<ApiApp, { basePath: string; table?: MethodTable }>();

/**
 * Answers a request no route serves: 405 naming the methods its path has, else 404. Also called
 * when a route matched by pattern but its path parameters do not parse (`PUT /contact/subscribe`
 * meets `PUT /contact/{id}`), so the answer is the same as if no route had matched.
 */
export function throwRouteMiss(api: ApiApp, c: Context): never {
  const fallback = fallbacks.get(api);
  if (fallback) {
    fallback.table ??= new MethodTable(api);
    const allowed = fallback.table.allowed(c.req.path.slice(fallback.basePath.length) || '/');
    if (allowed.length)
      throw new MethodNotAllowedError(
        allowed,
        `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
      );
  }
  throw new NotFoundError(`no route for ${c.req.method} ${c.req.path}`);
}

/**
 * Registers the fallback; call it after every other route of `api`, which is mounted at
 * `basePath`. The method table is built on first use, once every route is there.
 */
export function registerApiFallback(api: ApiApp, basePath: string): void {
  fallbacks.set(api, { basePath });
  api.all('*', function apiFallback(c) {
    throwRouteMiss(api, c);
  });
}
