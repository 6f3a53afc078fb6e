import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The browser benchmark's baseline pages (bench/src/browser/baseline-build.ts builds them when
// stale): the apps' own Svelte components fed the original way. Served by the bench's server
// under /bench-baseline/; never part of an app's shipped bundle.
export default defineConfig({
  root: import.meta.dirname,
  base: '/bench-baseline/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    rollupOptions: { input: { liveset: `${import.meta.dirname}/liveset/index.html`, demo: `${import.meta.dirname}/demo/index.html` } },
  },
});
