import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The race replay page: served under /replay/ by whoever mounts the replay (`tidewire serve`,
// `tidewire replay serve`); built into apps/replay/dist.
export default defineConfig({
  root: 'ui',
  base: '/replay/',
  plugins: [svelte()],
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
});
