import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Served by `tidewire serve` under /demo/; built into apps/demo/dist.
export default defineConfig({
  root: 'ui',
  base: '/demo/',
  plugins: [svelte()],
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
});
