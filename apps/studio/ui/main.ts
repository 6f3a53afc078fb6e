import { mount } from 'svelte';
import { createWorkerClient } from '@tidewire/client/main';
import App from './App.svelte';
import './style.css';

// One connection for the page: the live job list (tree channel `studio`) is replicated in the
// client's worker; every tab of every browser sees the same progress.
const client = createWorkerClient({ url: '/ws', channels: ['studio'], clientName: 'tidewire-studio' });
(globalThis as { tidewire?: unknown }).tidewire = client; // for DevTools and the browser tests

setTimeout(() => mount(App, { target: document.getElementById('app')!, props: { client } }), 0);
