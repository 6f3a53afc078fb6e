import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Media Studio's page: served under /studio/ by whoever mounts the studio; built into
// apps/studio/dist. Each tab is its own chunk (dynamic import), so the first load carries only
// the shell, the job list and the connection.
export default defineConfig({
  root: 'ui',
  base: '/studio/',
  plugins: [svelte()],
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
});
