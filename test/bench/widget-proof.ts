// How long the widget takes to solve its proof of work in Chromium: from the visitor's first focus
// in the form to the solution, challenge fetch included, at full speed and at a phone's CPU speed.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { leadingZeroBits } from '../../server/bot-defence/proof-of-work.ts';
import { CHROMIUM_PATH } from './widget-render.ts';

/** One solve: its time, and how many hashes it took (the widget tries n = 0, 1, 2, … in order). */
export interface Solve {
  ms: number;
  hashes: number;
  difficulty: number;
}

/** A host page on its own origin embedding the widget, as on a customer's site. */
async function hostPage(subflowUrl: string): Promise<{ url: string; server: Server }> {
  const body = `<!doctype html><html><body><h1>Acme blog</h1>
<div data-subflow-form="newsletter"></div><script src="${subflowUrl}/widget.js" async></script></body></html>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The widget's answer, found again here: the first n whose digest has enough zero bits. */
function hashesFor(salt: string, difficulty: number): number {
  for (let n = 0; ; n++) {
    const digest = createHash('sha256').update(`${salt}${n}`).digest();
    if (leadingZeroBits(digest) >= difficulty) return n + 1;
  }
}

async function solveOnce(browser: Browser, url: string, cpuSlowdown: number): Promise<Solve> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (cpuSlowdown > 1) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    }
    let challenge: Promise<{ salt: string; difficulty: number }> | undefined;
    page.on('response', (res) => {
      if (res.url().endsWith('/challenge')) challenge = res.json();
    });
    await page.goto(url);
    const email = page.getByLabel('Email');
    await email.waitFor();
    await email.focus();
    await page.waitForFunction(
      () => performance.getEntriesByName('subflow:proof-of-work').length > 0,
      undefined,
      { timeout: 60_000 },
    );
    const ms = await page.evaluate(
      () => performance.getEntriesByName('subflow:proof-of-work')[0]?.duration ?? Number.NaN,
    );
    const issued = await challenge;
    if (!issued) throw new Error('the widget solved without fetching a challenge');
    return { ms, hashes: hashesFor(issued.salt, issued.difficulty), difficulty: issued.difficulty };
  } finally {
    await context.close();
  }
}

/**
 * `solves` fresh page loads at each CPU slowdown (1: this machine; 4: Lighthouse's mid-range
 * phone), on a form whose challenge is on. Solve times spread widely (the hashes needed follow a
 * geometric distribution), so it takes a handful to see the median.
 */
export async function timeProofOfWork(
  subflowUrl: string,
  opts: { solves: number; slowdowns: number[] },
): Promise<Map<number, Solve[]>> {
  const host = await hostPage(subflowUrl);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const times = new Map<number, Solve[]>();
  try {
    for (const slowdown of opts.slowdowns) {
      const solves: Solve[] = [];
      for (let i = 0; i < opts.solves; i++)
        solves.push(await solveOnce(browser, host.url, slowdown));
      times.set(slowdown, solves);
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => host.server.close(resolve));
  }
  return times;
}
