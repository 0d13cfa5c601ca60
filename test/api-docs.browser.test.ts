// The API docs page renders every operation in Chromium with no network beyond the server, under its CSP.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, LAUNCH_TIMEOUT_MS, launchChromium } from './helpers/browser.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe.skipIf(!chromiumAvailable).each(testDialects())(
  'API docs in Chromium on %s',
  (dialect) => {
    let browser: Browser;
    let database: TestDatabase;
    let server: TestServer;

    beforeAll(async () => {
      browser = await launchChromium();
      database = await createTestDatabase(dialect);
      server = await startTestServer({ DATABASE_URL: database.url });
    }, LAUNCH_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await database?.drop();
    });

    it('renders every operation of /api/docs offline, with no CSP violation', async () => {
      const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(doc.paths).flatMap((item) =>
        Object.keys(item).filter((key) => METHODS.includes(key)),
      );
      expect(operations.length).toBeGreaterThan(5);

      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      // As on a machine with no internet: only the server itself answers.
      const serverOrigin = new URL(server.url).origin;
      const leftTheServer: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (new URL(url).origin === serverOrigin) return route.continue();
        leftTheServer.push(url);
        return route.abort('internetdisconnected');
      });

      const res = await page.goto(`${server.url}/api/docs`);
      await expect.poll(() => page.locator('.opblock').count()).toBe(operations.length);
      await expect(
        page.locator('.opblock-summary-path', { hasText: /^\/keys$/ }).count(),
      ).resolves.toBe(2);
      expect(await page.locator('.info .title').textContent()).toContain('Subflow API');

      expect(leftTheServer).toEqual([]);
      expect(problems).toEqual([]);
      expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self';");
      await page.close();
    });

    it('serves the swagger-ui files from the server, cacheable for good', async () => {
      const page = await (await fetch(`${server.url}/api/docs`)).text();
      const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(assets.every((url) => url.startsWith('/api/docs/'))).toBe(true);
      const bundle = assets.find((url) => url.endsWith('/swagger-ui-bundle.js'));
      expect(bundle).toMatch(/swagger-ui-dist@5\.\d+\.\d+\//);
      const res = await fetch(`${server.url}${bundle}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/javascript');
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect((await res.text()).length).toBeGreaterThan(100_000);
    });
  },
);
