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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
