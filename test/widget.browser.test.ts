// The widget in real Chromium on a host page of another origin, down to the mail over real SMTP.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, LAUNCH_TIMEOUT_MS, launchChromium } from './helpers/browser.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { FakeSiteverify } from './helpers/fake-siteverify.ts';
import { HostSite } from './helpers/host-site.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { TestSmtp } from './helpers/smtp.ts';

const ARTIFACTS = 'test/artifacts';
const TURNSTILE_SECRET = 'turnstile-secret';
const TURNSTILE_TOKEN = 'token-cloudflare-issued';

/**
 * Stands in for Cloudflare's api.js: renders a box into the given element (inside the shadow root)
 * and hands out the token the fake siteverify accepts, a new one after each reset.
 */
const fakeTurnstileScript = `window.turnstile = {
  render(el, opts) {
    el.textContent = 'Turnstile: verified';
    setTimeout(() => opts.callback(${JSON.stringify(TURNSTILE_TOKEN)}), 0);
    window.__turnstile = opts;
    return 'widget-1';
  },
  reset() { setTimeout(() => window.__turnstile.callback(${JSON.stringify(TURNSTILE_TOKEN)}), 0); },
};`;

const pages = (subflow: string): Record<string, string> => {
  const script = `<script src="${subflow}/widget.js" async></script>`;
  return {
    '/embed': `<!doctype html><html><body><h1>Acme blog</h1>
      <div data-subflow-form="newsletter"></div>${script}</body></html>`,
    '/hebrew': `<!doctype html><html><body>
      <div data-subflow-form="newsletter" data-lang="he"></div>${script}</body></html>`,
    '/twice': `<!doctype html><html><body>
      <div data-subflow-form="newsletter"></div><div data-subflow-form="newsletter" data-theme="dark"></div>
      ${script}${script}</body></html>`,
    '/plain': `<!doctype html><html><body>
      <form data-subflow-form="newsletter" action="${subflow}/v1/forms/newsletter/subscribe" method="post">
        <input type="email" name="email" required aria-label="Email"> <button>Subscribe</button>
      </form>${script}</body></html>`,
  };
};

describe.skipIf(!chromiumAvailable).each(testDialects())('widget in Chromium on %s', (dialect) => {
  let browser: Browser;
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;
  let host: HostSite;
  let foreign: HostSite;
  let siteverify: FakeSiteverify;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, LAUNCH_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    siteverify = await new FakeSiteverify({
      secret: TURNSTILE_SECRET,
      token: TURNSTILE_TOKEN,
    }).start();
    server = await startTestServer(
      {
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        TURNSTILE_SECRET_KEY: TURNSTILE_SECRET,
        TURNSTILE_VERIFY_URL: siteverify.url,
      },
      { minFillMs: 300 },
    );
    host = await new HostSite(pages(server.url)).start();
    foreign = await new HostSite(pages(server.url)).start();
    const res = await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ allowedOrigins: [host.origin] }),
    });
    expect(res.status).toBe(200);
    page = await browser.newPage({ viewport: { width: 480, height: 420 } });
  });

  afterEach(async () => {
    await page.close();
    await host.stop();
    await foreign.stop();
    await server.close();
    await siteverify.stop();
    await smtp.stop();
    await database.drop();
  });

  const shot = (name: string) =>
    page.screenshot({ path: `${ARTIFACTS}/widget-${name}-${dialect}.png` });

  it('renders in a shadow root, submits by keyboard and gets the confirmation mail', async () => {
    await page.goto(`${host.origin}/embed`);
    const email = page.getByLabel('Email');
    await email.waitFor();
    expect(
      await page.evaluate(() => document.querySelector('[data-subflow-form]')?.shadowRoot?.mode),
    ).toBe('open');
    await shot('default-light');

    await email.focus();
    await page.keyboard.type('not-an-email');
    await page.keyboard.press('Enter');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await email.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(
      'Please enter a valid email address.',
    );
    expect(await page.getByRole('status').textContent()).toBe(
      'Please check the highlighted fields.',
    );
    expect(
      await page.evaluate(() =>
        document
          .querySelector('[data-subflow-form]')
          ?.shadowRoot?.activeElement?.getAttribute('name'),
      ),
    ).toBe('email');
    await shot('error-light');

    await email.fill('');
    await page.keyboard.type('widget@example.com');
    await page.getByLabel('First name').fill('Wendy');
    await page.waitForTimeout(350);
    await email.focus();
    await page.keyboard.press('Enter');
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('check your inbox');
    await shot('success-light');

    const mail = await smtp.waitForMail('widget@example.com');
    expect(mail.text).toContain('/confirm/');
    const contact = (await (await server.api('/api/v1/contacts/1')).json()) as {
      firstName: string;
      source: string;
    };
    expect(contact).toMatchObject({ firstName: 'Wendy', source: 'form:newsletter' });
  });

  it('speaks Hebrew right to left when asked', async () => {
    await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ allowedOrigins: [] }),
    });
    await page.goto(`${host.origin}/hebrew`);
    const email = page.getByLabel('דוא"ל');
    await email.waitFor();
    expect(await page.locator('form').getAttribute('dir')).toBe('rtl');
    await shot('default-rtl');
    await page.getByRole('button', { name: 'הרשמה' }).click();
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    await shot('error-rtl');
    await email.fill('shalom@example.com');
    await page.waitForTimeout(350);
    await page.getByRole('button', { name: 'הרשמה' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('כמעט סיימנו');
    await shot('success-rtl');
    await smtp.waitForMail('shalom@example.com');
  });

  it('initialises each form once even when the script is included twice', async () => {
    await page.goto(`${host.origin}/twice`);
    await page.getByLabel('Email').first().waitFor();
    const forms = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll('[data-subflow-form]')).map(
          (el) => el.shadowRoot?.querySelectorAll('form').length ?? 0,
        ),
      );
    // goto waited for the load event, so both scripts have run; each form renders after its fetch.
    await expect.poll(async () => (await forms()).every((n) => n > 0)).toBe(true);
    expect(await forms()).toEqual([1, 1]);
  });

  it('still subscribes with JavaScript disabled through the plain form', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await context.newPage();
    await noJs.goto(`${host.origin}/plain`);
    await noJs.getByLabel('Email').fill('nojs@example.com');
    await noJs.getByRole('button', { name: 'Subscribe' }).click();
    await noJs.waitForURL(`${server.url}/v1/forms/newsletter/subscribe`);
    expect(await noJs.textContent('body')).toContain('check your inbox');
    await smtp.waitForMail('nojs@example.com');
    await context.close();
  });

  it('shows a clear error on a site the form does not allow, and the server refuses the post', async () => {
    await page.goto(`${foreign.origin}/embed`);
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toBe('This form cannot be used on this website.');
    expect(await page.getByRole('button', { name: 'Subscribe' }).isDisabled()).toBe(true);
    const refused = await page.evaluate(async (url) => {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'evil@example.com' }),
        });
        return res.status;
      } catch {
        return 'blocked';
      }
    }, `${server.url}/v1/forms/newsletter/subscribe`);
    expect(refused).toBe('blocked');
    expect(smtp.mails).toHaveLength(0);
    const events = (await (await server.api('/api/v1/events')).json()) as { items: unknown[] };
    expect(events.items).toHaveLength(0);
  });

  it('renders phone, custom fields and a required consent checkbox, and reports field errors', async () => {
    const res = await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({
        requireConsent: true,
        defaultCountry: 'DE',
        fields: [
          { name: 'email', type: 'email', required: true },
          { name: 'phone', type: 'tel' },
          { name: 'company', type: 'text', label: 'Company', required: true },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await page.goto(`${host.origin}/embed`);
    const email = page.getByLabel('Email', { exact: true });
    await email.waitFor();
    expect(await page.getByLabel('Phone').getAttribute('type')).toBe('tel');
    await email.fill('fields@example.com');
    await page.getByLabel('Phone').fill('0171 2345678');
    await page.getByLabel('Company').fill('Acme');
    await page.waitForTimeout(350);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const consent = page.getByLabel('I agree to receive emails and can unsubscribe at any time.');
    await expect.poll(() => consent.getAttribute('aria-invalid')).toBe('true');
    await consent.check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('check your inbox');
    await smtp.waitForMail('fields@example.com');
    const contact = (await (await server.api('/api/v1/contacts/1')).json()) as Record<
      string,
      unknown
    >;
    expect(contact).toMatchObject({ phone: '+491712345678', fields: { company: 'Acme' } });
  });

  it('solves the proof of work while the visitor types and subscribes with the challenge on', async () => {
    const res = await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ botDefence: { challenge: 'on' } }),
    });
    expect(res.status).toBe(200);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.postData() ?? '');
    });
    await page.goto(`${host.origin}/embed`);
    const email = page.getByLabel('Email');
    await email.fill('proven@example.com');
    await page.waitForTimeout(350);
    await email.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('check your inbox');
    await smtp.waitForMail('proven@example.com');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0] ?? '{}')).toMatchObject({
      email: 'proven@example.com',
      _challenge: expect.stringMatching(/^newsletter\./),
      _solution: expect.stringMatching(/^\d+$/),
    });
    const solveMs = await page.evaluate(
      () => performance.getEntriesByName('subflow:proof-of-work')[0]?.duration,
    );
    expect(solveMs).toBeGreaterThan(0);
    process.stdout.write(
      `proof of work (difficulty 13, challenge fetch included) solved in ${solveMs?.toFixed(0)} ms on ${dialect}\n`,
    );
  });

  it('tells a visitor without JavaScript what to do when the form requires the proof', async () => {
    await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ botDefence: { challenge: 'on' } }),
    });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await context.newPage();
    await noJs.goto(`${host.origin}/plain`);
    await noJs.getByLabel('Email').fill('nojs-refused@example.com');
    await noJs.getByRole('button', { name: 'Subscribe' }).click();
    await noJs.waitForURL(`${server.url}/v1/forms/newsletter/subscribe`);
    expect(await noJs.textContent('body')).toContain('This form needs JavaScript at the moment');
    await context.close();
    expect(await server.database.db.selectFrom('contacts').select('id').execute()).toEqual([]);
  });

  it('renders Turnstile when the form has a site key and sends its token', async () => {
    const res = await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({
        botDefence: { challenge: 'off', turnstileSiteKey: '1x00000000000000000000AA' },
      }),
    });
    expect(res.status).toBe(200);
    await page.route('https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit', (r) =>
      r.fulfill({ contentType: 'text/javascript', body: fakeTurnstileScript }),
    );
    await page.goto(`${host.origin}/embed`);
    await expect.poll(() => page.getByText('Turnstile: verified').count()).toBe(1);
    await page.getByLabel('Email').fill('turnstile@example.com');
    await page.waitForTimeout(350);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('check your inbox');
    await smtp.waitForMail('turnstile@example.com');
    expect(siteverify.calls.map((c) => c.get('response'))).toEqual([TURNSTILE_TOKEN]);
  });
});
