// Builds the admin console (admin/) into dist/admin: its own pages and hashed assets, apart from
// the widget's single IIFE, so the widget's size budget never sees the console's code.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { reportCompressedSize } from './vite.config.ts';

const root = fileURLToPath(new URL('./admin', import.meta.url));

export default defineConfig({
  root,
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/admin',
    emptyOutDir: true,
    target: 'es2020',
    // No inline <script> or data: module preload shim: the console runs under script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: `${root}/index.html`, preview: `${root}/preview.html` },
    },
  },
  plugins: [reportCompressedSize()],
});
