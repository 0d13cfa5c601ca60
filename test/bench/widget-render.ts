// Time to first render of the widget in Chromium on a host page of another origin, and of a
// baseline script of the same size that renders an input at once, loaded the same way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Runs in every page before its own scripts: notes (performance.now(), so from navigation start)
 * when a shadow root first holds an email input. A MutationObserver fires in the microtask after
 * the insertion, so the time is exact, where polling would add up to a poll interval.
 */
const RENDER_PROBE = `(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    const observer = new MutationObserver(() => {
      if (window.__renderedAt === undefined && root.querySelector('input[type=email]')) {
        window.__renderedAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(root, { childList: true, subtree: true });
    return root;
  };
})();`;

/**
 * The widget's own bytes inside a function that is never called, then a trivial render: what any
 * third-party script of this size costs to fetch and parse, without the widget's work (running,
 * fetching the form definition, rendering with Preact).
 */
function baselineScript(widgetCode: string): string {
  return `(function () {
function unused() {
${widgetCode}
}
const root = document.querySelector('[data-subflow-form]').attachShadow({ mode: 'open' });
root.append(Object.assign(document.createElement('input'), { type: 'email' }));
})();`;
}

/** A tiny origin serving fixed bodies; scripts gzipped and cacheable like Subflow's widget.js. */
class StaticSite {
  private server: Server | undefined;
  origin = '';

  constructor(private readonly files: Record<string, { type: string; body: string }>) {}

  async start(): Promise<this> {
    const gzipped = new Map(
      Object.entries(this.files).map(([path, f]) => [path, gzipSync(f.body)] as const),
    );
    this.server = createServer((req, res) => {
      const file = this.files[req.url ?? ''];
      const body = gzipped.get(req.url ?? '');
      if (!file || !body) return res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': file.type,
        'content-encoding': 'gzip',
        'cache-control': 'public, max-age=300',
        'access-control-allow-origin': '*',
      });
      res.end(body);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const hostPage = (scriptUrl: string) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html><head><title>Acme blog</title></head><body><h1>Acme blog</h1>
<p>Sign up below.</p><div data-subflow-form="newsletter"></div>
<script src="${scriptUrl}" async></script></body></html>`,
});

/**
 * Reads the probe and, from resource timing (responseEnd is given across origins even without
 * Timing-Allow-Origin), when the script and the form definition arrived. A string, because tsx
 * would wrap a named inner function of a page function in a helper the page does not have.
 */
const READ_TIMES = `(() => {
  const end = (pattern) =>
    performance.getEntriesByType('resource').find((e) => pattern.test(e.name))?.responseEnd ?? NaN;
  return { rendered: window.__renderedAt, script: end(/\\.js$/), definition: end(/\\/v1\\/forms\\//) };
})()`;

/** Milliseconds from navigation start, as the page saw them. */
interface LoadTimes {
  /** The email input appeared in the shadow root. */
  rendered: number;
  /** The script's response had fully arrived. */
  script: number;
  /** The form definition's response had fully arrived (the widget only; NaN for the baseline). */
  definition: number;
}

async function timeOneLoad(browser: Browser, url: string): Promise<LoadTimes> {
  // A fresh context has an empty HTTP cache; disabling the cache also rules out V8's code cache.
  const context = await browser.newContext();
  try {
    await context.addInitScript(RENDER_PROBE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url);
    const probe = () => (window as unknown as { __renderedAt?: number }).__renderedAt;
    await page.waitForFunction(probe, undefined, { timeout: 10_000 });
    return (await page.evaluate(READ_TIMES)) as LoadTimes;
  } finally {
    await context.close();
  }
}

export interface RenderTimes {
  /** One entry per measured load, in load order. */
  widget: LoadTimes[];
  baseline: LoadTimes[];
}

/**
 * Loads the widget page and the baseline page alternately, `loads` times each after `warmups`
 * discarded pairs, so a burst of noise on the machine hits both about equally.
 */
export async function timeFirstRender(
  subflowUrl: string,
  widgetCode: string,
  opts: { loads: number; warmups: number },
): Promise<RenderTimes> {
  const scripts = await new StaticSite({
    '/baseline.js': { type: 'text/javascript; charset=utf-8', body: baselineScript(widgetCode) },
  }).start();
  const host = await new StaticSite({
    '/widget': hostPage(`${subflowUrl}/widget.js`),
    '/baseline': hostPage(`${scripts.origin}/baseline.js`),
  }).start();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const times: RenderTimes = { widget: [], baseline: [] };
  try {
    for (let i = 0; i < opts.warmups + opts.loads; i++) {
      // Which goes first alternates too: the first load after a pause pays for waking things up.
      const order = i % 2 === 0 ? ['widget', 'baseline'] : ['baseline', 'widget'];
      const pair: Record<string, LoadTimes> = {};
      for (const page of order) pair[page] = await timeOneLoad(browser, `${host.origin}/${page}`);
      if (i < opts.warmups || !pair.widget || !pair.baseline) continue;
      times.widget.push(pair.widget);
      times.baseline.push(pair.baseline);
    }
  } finally {
    await browser.close();
    await host.stop();
    await scripts.stop();
  }
  return times;
}
