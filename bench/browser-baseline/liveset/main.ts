// The Live Set mirror page built the original way (bench baseline): the app's own components and
// state (apps/liveset/ui), fed by the original design's client (../baseline-client/baseline-client.ts).
import { mount } from 'svelte';
import App from '@tidewire/liveset/ui/App.svelte';
import { SetLayout } from '@tidewire/liveset/ui/lib/layout.svelte.ts';
import { LiveState } from '@tidewire/liveset/ui/lib/live.svelte.ts';
import '@tidewire/liveset/ui/style.css';
import { createBaselineClient } from '../baseline-client/baseline-client.ts';

const client = createBaselineClient('liveset');
(globalThis as { baseline?: unknown }).baseline = client;
const store = client.store('liveset');
const layout = new SetLayout(store);
const live = new LiveState(client, store);

mount(App, { target: document.getElementById('app')!, props: { store, layout, live, perf: null } });
