import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Live Set mirror's page: served under /liveset/ by whoever mounts the mirror; built
// into apps/liveset/dist.
export default defineConfig({
  root: 'ui',
  base: '/liveset/',
  plugins: [svelte()],
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
});
