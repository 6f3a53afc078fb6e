import { mount } from 'svelte';
import { createWorkerClient } from '@tidewire/client/main';
import App from './App.svelte';
import './style.css';

// One connection for the page; decoding and op application run in the client's worker.
const client = createWorkerClient({ url: '/ws', channels: ['demo'], clientName: 'tidewire-demo' });
(globalThis as { tidewire?: unknown }).tidewire = client; // for DevTools and the browser tests

// Mount in a task of its own: evaluating this module, the first layout at the end of parsing
// and the first render would otherwise add up to one long task on a slow machine.
setTimeout(() => mount(App, { target: document.getElementById('app')!, props: { client } }), 0);
