import { mount } from 'svelte';
import { createWorkerClient } from '@tidewire/client/main';
import App from './App.svelte';
import { SetLayout } from './lib/layout.svelte.ts';
import { LiveState } from './lib/live.svelte.ts';
import './style.css';

// One connection for the page; decoding and op application run in the client's worker. The
// page's state lives as long as the page, so it is made here, once.
const client = createWorkerClient({ url: '/ws', channels: ['liveset'], clientName: 'tidewire-liveset' });
(globalThis as { tidewire?: unknown }).tidewire = client; // for DevTools and the browser tests
const store = client.store('liveset');
const layout = new SetLayout(store);
const live = new LiveState(client, store);

// Mount in a task of its own: evaluating this bundle, the page's first layout (the first text
// laid out, with font set-up) and the first render would otherwise add up to one long task.
setTimeout(() => mount(App, { target: document.getElementById('app')!, props: { store, layout, live, perf: client.perf } }), 0);
