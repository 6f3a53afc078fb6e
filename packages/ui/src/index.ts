// @tidewire/ui: Svelte 5 components shared by the apps.
export { default as PerfHud } from './PerfHud.svelte';
