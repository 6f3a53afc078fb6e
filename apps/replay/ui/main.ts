// The race replay page, in two steps. This module is small on purpose: it starts the player's
// worker (HTTP segments, WebSocket, decoding: the page bundle holds no codec) and the page's
// metadata request before anything else loads, then loads the page itself (page.ts: Svelte, the
// components, the drawing) and mounts it once the worker has its first messages. Chromium hands
// a starting worker the messages posted to it from this thread, so every task the page ran
// before that delayed the first frame: traced, the worker had waited 125 ms for its `open`
// behind the page's mount and first layout (issue 14, docs/client.md §5.7).
//
// `?mode=server` switches to server-paced playback, `?timeline=NAME` plays another timeline
// channel, `?access_token=` is passed on to the server.
import { createPlayer, PerfMonitor } from '@tidewire/client/main';
import { timelineFromQuery } from './lib/format.ts';
import { requestRaceMeta } from './lib/meta.ts';

/** The longest the page waits for the worker before mounting anyway (a worker that fails to start reports through the player). */
const WORKER_WAIT_MS = 300;

const params = new URLSearchParams(location.search);
const timeline = timelineFromQuery(params.get('timeline'));
const mode = params.get('mode') === 'server' ? 'server' : 'client';
const token = params.get('access_token') || undefined;
const source = { timeline, httpBase: location.origin, ...(token ? { token } : {}) };

const perf = new PerfMonitor();
perf.observeLongTasks();
perf.start();
const player = createPlayer({
  url: location.origin,
  timeline,
  mode,
  perf,
  clientName: 'tidewire-replay',
  // The telemetry chart and scrubbing back read recent frames: keep half a minute behind.
  keepBehindSeconds: 30,
  ...(token ? { token } : {}),
});
const metaRequest = requestRaceMeta(source);
// A failed request is read (and shown) by the page; this keeps it from being reported unhandled
// before the page has loaded.
metaRequest.catch(() => undefined);

const page = import('./page.ts');
await Promise.race([player.started, new Promise((resolve) => setTimeout(resolve, WORKER_WAIT_MS))]);
const { startPage } = await page;
startPage({ player, perf, source, metaRequest });
