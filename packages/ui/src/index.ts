// @tidewire/ui: Svelte 5 components shared by the apps.
export { default as PerfHud } from './PerfHud.svelte';
export { reveals, revealed } from './reveal.svelte.ts';
export type { Revealed } from './reveal.svelte.ts';
