// The admin console: its bundle size, and the first load of the dashboard in Chromium (cold cache,
// key already in sessionStorage) until the funnel chart, outbox and run counts are all on screen.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { type BenchContext, type BenchModule, withSubflow } from './context.ts';
import type { BenchDatabase } from './databases.ts';
import { REPO_ROOT } from './processes.ts';
import type { Measurement } from './report.ts';
import { ascending, percentile } from './stats.ts';
import { CHROMIUM_PATH } from './widget-render.ts';

const SECTION = 'admin';
const ASSETS = join(REPO_ROOT, 'dist/admin/assets');
const API_KEY = 'bench-admin-key-0123456789';
/** The aim for the first load of the dashboard on loopback. */
const AIM_P95_MS = 500;
/** Sign-ups before measuring, so the funnel and counts have rows to read. */
const SIGNUPS = 300;

/**
 * Runs before the console's own script: notes (from navigation start) when the dashboard shows the
 * chart and both count panels, i.e. when all four API answers have been rendered.
 */
const LOADED_PROBE = `(() => {
  const observer = new MutationObserver(() => {
    if (window.__loadedAt === undefined && document.querySelector('.chart svg') &&
        document.querySelectorAll('dl.stats').length === 2) {
      window.__loadedAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

function sizeRows(): Measurement[] {
  const files = readdirSync(ASSETS).filter((f) => f.startsWith('index-'));
  return files.map((file) => {
    const code = readFileSync(join(ASSETS, file));
    return {
      section: SECTION,
      name: `dist/admin/assets/${file.replace(/-[\w-]+\./, '-*.')} gzip -9`,
      value: gzipSync(code, { level: 9 }).length,
      unit: 'B' as const,
      note: `${code.length} B raw`,
    };
  });
}

/** Milliseconds from navigation start: rendered, the script in, the last API answer in. */
interface LoadTimes {
  loaded: number;
  script: number;
  api: number;
}

/** A string, so tsx does not wrap the page function in helpers the page lacks. */
const READ_TIMES = `(() => {
  const entries = performance.getEntriesByType('resource');
  const script = entries.find((e) => /\\/assets\\/index-.*\\.js$/.test(e.name))?.responseEnd ?? NaN;
  const api = Math.max(...entries.filter((e) => e.name.includes('/api/v1/')).map((e) => e.responseEnd));
  return { loaded: window.__loadedAt, script, api };
})()`;

async function timeOneLoad(browser: Browser, url: string): Promise<LoadTimes> {
  // A fresh context: empty HTTP cache and sessionStorage; the key is put there as a sign-in would.
  const context = await browser.newContext();
  try {
    await context.addInitScript(
      `sessionStorage.setItem('subflow.apiKey', ${JSON.stringify(API_KEY)});${LOADED_PROBE}`,
    );
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url);
    const probe = () => (window as unknown as { __loadedAt?: number }).__loadedAt;
    await page.waitForFunction(probe, undefined, { timeout: 10_000 });
    return (await page.evaluate(READ_TIMES)) as LoadTimes;
  } finally {
    await context.close();
  }
}

export const adminBench: BenchModule = {
  name: 'admin',
  async run(ctx) {
    if (!existsSync(ASSETS)) throw new Error('dist/admin missing: run `npm run build` first');
    const rows = sizeRows();
    if (!existsSync(CHROMIUM_PATH)) {
      ctx.progress(`${CHROMIUM_PATH} not found: dashboard load SKIPPED (apt-get install chromium)`);
      return rows;
    }
    const loads = ctx.measureS >= 10 ? 20 : 8;
    for (const database of ctx.databases) rows.push(...(await measureLoads(ctx, database, loads)));
    return rows;
  },
};

/** Dashboard loads against a server on `database`, after the sign-ups. */
async function measureLoads(
  ctx: BenchContext,
  database: BenchDatabase,
  loads: number,
): Promise<Measurement[]> {
  const times = await withSubflow(
    ctx,
    database,
    'admin',
    async (server) => {
      ctx.progress(`${server.name}: ${SIGNUPS} sign-ups, then ${loads} dashboard loads`);
      // In batches: each answer is held to the subscribe endpoint's response floor.
      for (let i = 0; i < SIGNUPS; i += 25) {
        const batch = Array.from({ length: 25 }, (_, j) =>
          fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: `admin-bench-${i + j}@example.com` }),
          }),
        );
        for (const res of await Promise.all(batch))
          if (res.status !== 202) throw new Error(`subscribe answered ${res.status}`);
      }
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        for (let i = 0; i < 2; i++) await timeOneLoad(browser, `${server.url}/admin/`);
        const measured: LoadTimes[] = [];
        for (let i = 0; i < loads; i++)
          measured.push(await timeOneLoad(browser, `${server.url}/admin/`));
        return measured;
      } finally {
        await browser.close();
      }
    },
    { BOOTSTRAP_API_KEY: API_KEY },
  );
  const loaded = ascending(times.map((t) => t.loaded));
  const median = (of: (t: LoadTimes) => number) =>
    percentile(ascending(times.map(of)), 50).toFixed(0);
  return [
    {
      section: SECTION,
      name: `dashboard first load p50 (${database.label})`,
      value: percentile(loaded, 50),
      unit: 'ms',
      note:
        `navigation start → chart, outbox and run counts rendered (cold cache); script in at ` +
        `${median((t) => t.script)} ms, last API answer at ${median((t) => t.api)} ms (p50s)`,
    },
    {
      section: SECTION,
      name: `dashboard first load p95 (${database.label})`,
      value: percentile(loaded, 95),
      unit: 'ms',
      target: { op: '<', limit: AIM_P95_MS },
      note: `${loaded.length} fresh loads on loopback, ${SIGNUPS} sign-ups in the funnel`,
    },
  ];
}
