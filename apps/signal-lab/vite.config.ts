import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { faustEffectsPlugin } from './src/faust/vite-plugin.ts';

// Signal Lab's page: served under /signal-lab/ (cross-origin isolated) by whoever mounts the
// lab; built into apps/signal-lab/dist. The Faust effects in faust/*.dsp are compiled here, at
// build start (src/faust/vite-plugin.ts).
export default defineConfig({
  root: 'ui',
  base: '/signal-lab/',
  plugins: [svelte(), faustEffectsPlugin({ dir: fileURLToPath(new URL('./faust/', import.meta.url)) })],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // faustwasm builds its AudioWorklet's source from `Class.toString()` and `Class.name`
        // of a dozen top-level classes and functions: mangled top-level names leave the worklet
        // referring to bindings that do not exist there, and the processor never registers
        // (seen with oxc's default minify, and with mangle.keepNames). Top-level names are kept;
        // locals are still mangled and everything compressed (the Faust chunk: 82 KB vs 78 KB).
        // The bundled and live effects now run in the lab's own worklet (src/faust/host-worklet.ts),
        // not faustwasm's; the setting stays for the editor's faustwasm chunk until that is
        // re-verified with top-level mangling. test/faust-browser.test.ts covers the build.
        minify: { compress: true, mangle: { toplevel: false } },
      },
    },
  },
  worker: { format: 'es' },
});
