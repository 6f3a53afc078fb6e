declare module '*.svelte' {
  import type { Component } from 'svelte';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a .svelte module's props are unknown here; any accepts every component's props
  const component: Component<any>;
  export default component;
}
