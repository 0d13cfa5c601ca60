// The admin console in real Chromium against the real server: sign in, find a contact and its
// timeline, edit a form and watch the real widget's preview change, cancel a run, create and revoke
// a key; axe-core audits every page, and every page is captured wide and at 360 px.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, LAUNCH_TIMEOUT_MS, launchChromium } from './helpers/browser.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, TEST_API_KEY, type TestServer } from './helpers/server.ts';
import { confirmLinkIn, TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

const ARTIFACTS = 'test/artifacts/admin';
const axeSource: string = createRequire(import.meta.url)('axe-core').source;

const WORKFLOWS = {
  'follow-up.yaml': `name: follow-up
on: subscribeFromApi*
steps:
  - wait: 2d
  - send_email: { subject: "Still there?", text: "Hi" }
`,
  'broken.yaml': 'name: broken\non: subscribeFromApi*\nsteps:\n  - no_such_step: {}\n',
};

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

describe.skipIf(!chromiumAvailable).each(testDialects())(
  'admin console in Chromium on %s',
  (dialect) => {
    let browser: Browser;
    let database: TestDatabase;
    let smtp: TestSmtp;
    let server: TestServer;
    let workflows: ReturnType<typeof workflowDir>;
    let page: Page;
    const email = `ann-${dialect}@example.com`;
    const confirmed = `bob-${dialect}@example.com`;

    beforeAll(async () => {
      browser = await launchChromium();
      mkdirSync(ARTIFACTS, { recursive: true });
      database = await createTestDatabase(dialect);
      smtp = await new TestSmtp().start();
      workflows = workflowDir(WORKFLOWS);
      server = await startTestServer({
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        WORKFLOWS_DIR: workflows.dir,
      });
      // Two sign-ups, one confirmed: the funnel shows 2 → 1, a confirmation rate of 50 %.
      expect((await server.subscribe('newsletter', { email })).status).toBe(202);
      expect((await server.subscribe('newsletter', { email: confirmed })).status).toBe(202);
      await smtp.waitForMail(email);
      const link = confirmLinkIn(await smtp.waitForMail(confirmed));
      expect((await fetch(link, { method: 'POST', redirect: 'manual' })).status).toBeLessThan(400);
      // Each run waits two days: the console cancels one.
      await until(async () => {
        const runs = await (await server.api('/api/v1/workflow-runs?status=waiting')).json();
        return runs.items.length === 2;
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    }, LAUNCH_TIMEOUT_MS);

    afterAll(async () => {
      await page?.close();
      await browser?.close();
      await server?.close();
      await smtp?.stop();
      await database?.drop();
      workflows?.remove();
    });

    /** The serious and critical axe violations on the page as it is (the preview frame aside). */
    async function seriousViolations() {
      await page.evaluate(axeSource);
      const { passes, violations } = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run(
                ctx: unknown,
                opts: unknown,
              ): Promise<{ passes: unknown[]; violations: AxeViolation[] }>;
            };
          }
        ).axe;
        const result = await axe.run({ exclude: [['iframe']] }, { iframes: false });
        return {
          passes: result.passes.length,
          violations: result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.target),
          })),
        };
      });
      // An audit that checked nothing would pass anything.
      expect(passes).toBeGreaterThan(10);
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    }

    /**
     * No serious or critical axe violation in the light and the dark scheme; screenshots wide (light
     * and dark) and at 360 px, where nothing may be wider than the screen.
     */
    async function audit(name: string) {
      expect(await seriousViolations(), `${name}, light`).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}/${name}-wide-${dialect}.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await seriousViolations(), `${name}, dark`).toEqual([]);
      await page.screenshot({
        path: `${ARTIFACTS}/${name}-wide-dark-${dialect}.png`,
        fullPage: true,
      });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 360, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        360,
      );
      await page.screenshot({ path: `${ARTIFACTS}/${name}-360-${dialect}.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    const nav = (label: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });

    it('signs in with an API key kept in sessionStorage, and shows the dashboard', async () => {
      const csp = (await fetch(`${server.url}/admin/`)).headers.get('content-security-policy');
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      await page.goto(`${server.url}/admin/`);
      await page.getByLabel('API key').fill('not-a-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
      await audit('sign-in');

      await page.getByLabel('API key').fill(TEST_API_KEY);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('subflow.apiKey'))).toBe(
        TEST_API_KEY,
      );
      expect(await page.context().cookies()).toEqual([]);
      const newsletter = page
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: 'newsletter' }) });
      await expect
        .poll(() => newsletter.getByRole('cell').allTextContents())
        .toEqual(['2', '1', '0', '50 %']);
      await page.getByRole('img', { name: /2 subscribed, 1 confirmed, 0 unsubscribed/ }).waitFor();
      await audit('dashboard');
    });

    it('is usable from the keyboard: skip link, menu, focus on each new page’s heading', async () => {
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement;
          return el
            ? `${el.tagName.toLowerCase()}:${el.textContent?.trim() ?? ''}`.slice(0, 40)
            : '';
        });
      await page.locator('body').focus();
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('button:Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('a:API keys');
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('h1:API keys');
      await nav('Dashboard').focus();
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('h1:Dashboard');
    });

    it('finds the contact by email and shows its subscribe event and confirmation mail', async () => {
      await nav('Contacts').click();
      await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
      await audit('contacts');
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: email }).click();
      await page.getByRole('heading', { name: email, level: 1 }).waitFor();
      const timeline = page.locator('.timeline');
      await timeline.getByText('subscribeFromApi-newsletter').waitFor();
      await timeline.getByText('“Please confirm your subscription”').waitFor();
      await expect.poll(() => timeline.locator('.timeline-mail').textContent()).toContain('sent');
      await page.getByRole('cell', { name: 'subscribe', exact: true }).waitFor();
      await audit('contact');

      await page.getByLabel('Add tag').fill('vip');
      await page.getByLabel('Add tag').press('Enter');
      await page.getByText('Tags: vip').waitFor();
      await page.getByLabel('Add to group').fill('Customers');
      await page.getByLabel('Add to group').press('Enter');
      await page.getByText('Groups: Customers').waitFor();

      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('First name').fill('Ann');
      await page.getByLabel('Custom fields (JSON)').fill('{"plan": "pro"}');
      await page.getByRole('button', { name: 'Save contact' }).click();
      await page.getByRole('definition').filter({ hasText: /^Ann$/ }).waitFor();
      await page.getByRole('definition').filter({ hasText: /^pro$/ }).waitFor();

      page.once('dialog', (dialog) => dialog.accept());
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.locator('.badge-deleted').waitFor();
      await page.getByRole('button', { name: 'Restore' }).click();
      await page.locator('.badge-unconfirmed').waitFor();
      const contact = await (await server.api(`/api/v1/contacts?email=${email}`)).json();
      expect(contact.items[0]).toMatchObject({
        firstName: 'Ann',
        fields: { plan: 'pro' },
        groups: ['Customers'],
        tags: ['vip'],
        status: 'unconfirmed',
      });
    });

    it('edits a form and the real widget in the preview follows before and after saving', async () => {
      await nav('Forms').click();
      await audit('forms');
      await page.getByRole('link', { name: 'Newsletter' }).click();
      const preview = page.frameLocator('iframe[title="Widget preview"]');
      await preview.getByText('Subscribe to our newsletter').waitFor();
      await page.getByLabel('Title').fill('Join the admin test list');
      await preview.getByText('Join the admin test list').waitFor();
      await page.getByLabel('Language of these texts').selectOption('de');
      await page.getByLabel('Title').fill('Tritt der Testliste bei');
      await preview.getByText('Tritt der Testliste bei').waitFor();
      await page.getByLabel('Language of these texts').selectOption('');
      await page
        .getByLabel('Allowed origins (one a line; none: any site)')
        .fill('https://shop.example');
      await page.getByRole('button', { name: 'Save form' }).click();
      await page.getByText('Saved.').waitFor();
      const form = await (await server.api('/api/v1/forms/newsletter')).json();
      expect(form.texts.title).toBe('Join the admin test list');
      expect(form.translations).toEqual({ de: { title: 'Tritt der Testliste bei' } });
      expect(form.allowedOrigins).toEqual(['https://shop.example']);
      expect(await page.getByLabel('Paste into your page').inputValue()).toBe(
        `<div data-subflow-form="newsletter"></div>\n<script src="${server.url}/widget.js" async></script>`,
      );
      await audit('form-editor');
    });

    it('shows the event log and the workflows with the broken file’s position', async () => {
      await nav('Events').click();
      await page.getByRole('cell', { name: 'emailConfirmed-newsletter' }).waitFor();
      expect(await page.getByRole('cell', { name: 'subscribeFromApi-newsletter' }).count()).toBe(2);
      await audit('events');

      await nav('Workflows').click();
      await page.getByText(/broken\.yaml:\d+:\d+/).waitFor();
      await page.getByRole('rowheader', { name: 'follow-up' }).waitFor();
      await audit('workflows');
    });

    it('cancels the waiting run', async () => {
      await page.getByLabel('Status').selectOption('waiting');
      await page
        .getByRole('link', { name: /^Run \d+$/ })
        .first()
        .click();
      await page.getByRole('heading', { name: /of follow-up/ }).waitFor();
      await audit('run');
      await page.getByRole('button', { name: 'Cancel run' }).click();
      await page.locator('.badge-cancelled').first().waitFor();
      // Ann's run was cancelled by her delete; Bob's was the one left waiting, and now is not.
      const runId = /\/runs\/(\d+)/.exec(page.url())?.[1];
      const run = await (await server.api(`/api/v1/workflow-runs/${runId}`)).json();
      expect(run.status).toBe('cancelled');
      const waiting = await (await server.api('/api/v1/workflow-runs?status=waiting')).json();
      expect(waiting.items).toEqual([]);
    });

    it('creates a key whose secret is shown once, and revokes it', async () => {
      await nav('API keys').click();
      await page.getByLabel('Name').fill('console-made');
      await page.getByLabel('contacts:read').check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = await page.getByLabel('Key', { exact: true }).inputValue();
      expect(
        (
          await fetch(`${server.url}/api/v1/contacts`, {
            headers: { authorization: `Bearer ${secret}` },
          })
        ).status,
      ).toBe(200);
      await audit('keys');
      await page.getByRole('button', { name: 'Revoke console-made' }).click();
      await page
        .getByRole('row')
        .filter({ hasText: 'console-made' })
        .getByText('revoked')
        .waitFor();
      expect(
        (
          await fetch(`${server.url}/api/v1/contacts`, {
            headers: { authorization: `Bearer ${secret}` },
          })
        ).status,
      ).toBe(401);
    });
  },
);
