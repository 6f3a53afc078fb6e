// svelte-check reads this file; without it, it loads vite.config.ts natively to find the Svelte
// options, and that config's Faust plugin reaches workspace TypeScript (@tidewire/base) that Node
// cannot load without a TypeScript loader. The page build (scripts/build.mjs) loads vite.config.ts
// through Vite's module runner instead. No preprocessing: Svelte 5 reads <script lang="ts"> itself.
export default {};
