// Builds the widget into one IIFE (dist/widget.js) and configures Vitest (the `test` block).
// The admin console has its own build: vite.admin.config.ts.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** Prints the gzip and brotli size of each emitted chunk, the figures the size budget is about. */
export function reportCompressedSize(): Plugin {
  return {
    name: 'subflow-compressed-size',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const gzip = gzipSync(file.code, { level: 9 }).length;
        const brotli = brotliCompressSync(file.code).length;
        this.info(`${file.fileName}: ${file.code.length} B, gzip ${gzip} B, brotli ${brotli} B`);
      }
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    // The widget is one file it overwrites; emptying dist/ would delete the console in dist/admin.
    emptyOutDir: false,
    target: 'es2020',
    lib: {
      entry: 'widget/main.tsx',
      name: 'SubflowWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
  plugins: [reportCompressedSize()],
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more workers than that only adds contention to the SQLite and SMTP tests.
    maxWorkers: 2,
  },
});
