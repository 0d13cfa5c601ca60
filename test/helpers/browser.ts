// Debian's Chromium through playwright-core: required under CI, skipped with a message elsewhere.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

if (!chromiumAvailable) {
  if (process.env.CI === 'true')
    throw new Error(`Chromium is required when CI=true but ${CHROMIUM_PATH} is missing`);
  process.stderr.write(
    `\n!!! ${CHROMIUM_PATH} not found: browser tests are SKIPPED (apt-get install chromium).\n\n`,
  );
}

/**
 * For the hook that launches Chromium: a cold start while the other test worker loads both cores
 * has taken over 30 s here (the default hook timeout).
 */
export const LAUNCH_TIMEOUT_MS = 120_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
