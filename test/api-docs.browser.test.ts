// The API docs page under its strict CSP still starts swagger-ui and loads the spec, in Chromium.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, LAUNCH_TIMEOUT_MS, launchChromium } from './helpers/browser.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The test machines have no internet, so the CDN's swagger-ui is replaced by a stand-in with the
 * same entry point: what is under test is that the CSP lets the page load it, run our start-up
 * script and fetch the spec, without one violation.
 */
const standInBundle = `window.SwaggerUIBundle = function (options) {
  fetch(options.url).then(function (r) { return r.json(); }).then(function (spec) {
    document.querySelector(options.dom_id).textContent = 'rendered: ' + spec.info.title;
  });
};`;

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

    it('renders /api/docs with no CSP violation', async () => {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.route('https://cdn.jsdelivr.net/npm/swagger-ui-dist/**', (route) =>
        route.fulfill(
          route.request().url().endsWith('.js')
            ? { contentType: 'text/javascript', body: standInBundle }
            : { contentType: 'text/css', body: '#swagger-ui{color:#333}' },
        ),
      );
      const res = await page.goto(`${server.url}/api/docs`);
      expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
      await expect
        .poll(() => page.locator('#swagger-ui').textContent())
        .toBe('rendered: Subflow API');
      expect(violations).toEqual([]);
      await page.close();
    });
  },
);
