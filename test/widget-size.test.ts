// The widget's size budget: at most 8 KB gzipped including Preact (built by `npm test`'s pretest).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET_GZIP = 8192;

describe('widget bundle', () => {
  it(`stays within ${BUDGET_GZIP} bytes gzipped`, () => {
    const code = readFileSync('dist/widget.js');
    const gzip = gzipSync(code, { level: 9 }).length;
    expect(gzip).toBeGreaterThan(1000);
    expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP);
  });

  it('is one self-contained script with no imports', () => {
    const code = readFileSync('dist/widget.js', 'utf8');
    expect(code).not.toMatch(/\bimport\s*[({'"]/);
    expect(code).not.toContain('require(');
  });
});
