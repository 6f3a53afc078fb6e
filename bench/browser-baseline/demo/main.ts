// The core demo page built the original way (bench baseline): the app's own components
// (apps/demo/ui), fed by the original design's client (../baseline-client/baseline-client.ts).
import { mount } from 'svelte';
import App from '@tidewire/demo/ui/App.svelte';
import '@tidewire/demo/ui/style.css';
import { createBaselineClient } from '../baseline-client/baseline-client.ts';

const client = createBaselineClient('demo');
(globalThis as { baseline?: unknown }).baseline = client;

mount(App, { target: document.getElementById('app')!, props: { client } });
