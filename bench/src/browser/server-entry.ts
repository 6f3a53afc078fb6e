// The browser suite's server, in a child process of its own (so the storm's pacing and the
// server's work do not share an event loop with the Playwright driver): ONE Tidewire server
// composed as `tidewire serve` composes it (apps/tidewire/src/serve.ts) — the Live Set mirror
// (here on the generated 50-track set, OSC on a free port, no simulated Live), the core demo
// (its own change storm off: the bench drives the changes), the race replay and Signal Lab,
// each app's built page — plus, for the bench only, the baseline's JSON WebSocket route and the
// baseline pages. IPC: `ready` (ServerReady), then commands (messages.ts).
import { fileURLToPath } from 'node:url';
import { createServer } from '@tidewire/server';
import type { TreeChannel } from '@tidewire/server';
import { mountDemo } from '@tidewire/demo';
import { LiveSetMirror } from '@tidewire/liveset';
import { mountReplay, replayDist } from '@tidewire/replay';
import { mountSignalLab, signalLabDist } from '@tidewire/signal-lab';
import { Prng } from '@tidewire/random';
import { countNodes } from '@tidewire/tree';
import { generateLiveSet } from '../liveset/generate.ts';
import { paced } from '../stats.ts';
import { BaselineRoute } from './baseline-route.ts';
import { BASELINE_PREFIX, TREE_CHANNELS } from './messages.ts';
import type { ServerCommand, ServerReady, StormDone, TreePage } from './messages.ts';
import { BASELINE_DIST } from './baseline-build.ts';

const appDist = (app: string) => fileURLToPath(new URL(`../../../apps/${app}/dist/`, import.meta.url));

/** Every STAMP_EVERY-th change of a storm writes the wall clock into a visible track's name. */
const STAMP_EVERY = 10;
/** The tracks whose names carry stamps: the first ones, on screen in both pages. */
const STAMPED_TRACKS = 4;

interface Shape {
  channel: TreeChannel;
  params: string[];
  tracks: { id: string; name: string }[];
}

function shapeOf(channel: TreeChannel): Shape {
  const params: string[] = [];
  const snap = channel.tree.toSnapshot();
  const walk = (n: typeof snap) => {
    if (n.type === 'param') params.push(n.id);
    n.children.forEach(walk);
  };
  walk(snap);
  const tracksNode = snap.children.find((c) => c.id === 'tracks')!;
  const tracks = tracksNode.children.slice(0, STAMPED_TRACKS).map((t) => ({ id: t.id, name: String(t.attrs.name) }));
  return { channel, params, tracks };
}

async function main(): Promise<void> {
  const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
  const baseline = new BaselineRoute(server);
  const failed: ServerReady['failed'] = [];
  const closers: (() => unknown)[] = [];

  const mirror = await LiveSetMirror.start(server, { tree: generateLiveSet(), oscPort: 0, liveControl: false, log: () => {} });
  closers.push(() => mirror.close());
  await server.serveStatic('/liveset/', appDist('liveset'));
  const demo = mountDemo(server, { storm: false });
  closers.push(() => demo.close());
  await server.serveStatic('/demo/', appDist('demo'));
  try {
    const replay = await mountReplay(server, { race: '2024-bahrain' });
    closers.push(() => replay.close());
    await server.serveStatic('/replay/', replayDist());
  } catch (e) {
    failed.push({ app: 'replay', message: String((e as Error).message ?? e) });
  }
  const lab = mountSignalLab(server);
  await server.serveStatic(lab.path, signalLabDist(), lab.staticOptions);
  await server.serveStatic(BASELINE_PREFIX, BASELINE_DIST);

  const shapes = {} as Record<TreePage, Shape>;
  const trees = {} as ServerReady['trees'];
  for (const page of Object.keys(TREE_CHANNELS) as TreePage[]) {
    const channel = server.channel(TREE_CHANNELS[page]) as TreeChannel;
    const snap = channel.tree.toSnapshot();
    baseline.add(TREE_CHANNELS[page], snap);
    shapes[page] = shapeOf(channel);
    trees[page] = { nodes: countNodes(snap), jsonBytes: Buffer.byteLength(JSON.stringify(snap)) };
  }
  const url = await server.listen();
  const rng = new Prng(20261207);

  /** One change, made on both systems' copies so they stay the same tree. */
  const change = (page: TreePage, id: string, attrs: Record<string, string | number>) => {
    shapes[page].channel.set(id, attrs);
    baseline.set(TREE_CHANNELS[page], id, attrs);
  };

  async function storm(page: TreePage, rate: number, seconds: number): Promise<StormDone> {
    const s = shapes[page];
    let sent = 0;
    let stamped = 0;
    const took = await paced(rate, seconds, () => {
      if (sent++ % STAMP_EVERY === 0) {
        const t = s.tracks[stamped++ % s.tracks.length]!;
        change(page, t.id, { name: `${t.name} ·${Date.now()}` });
      } else {
        change(page, s.params[rng.int(s.params.length)]!, { value: Math.round(rng.next() * 1e4) / 1e4 });
      }
    });
    // The tracks get their own names back, so the next load shows the same tree as the first.
    for (const t of s.tracks) change(page, t.id, { name: t.name });
    return { sent, stamped, seconds: took };
  }

  process.on('message', (raw) => {
    const msg = raw as ServerCommand;
    if (msg.cmd === 'exit') {
      void (async () => {
        baseline.close();
        for (const c of closers) await c();
        await server.close();
        process.exit(0);
      })();
      return;
    }
    storm(msg.page, msg.rate, msg.seconds).then(
      (done) => process.send!(done),
      (e: unknown) => process.send!({ error: String(e) }),
    );
  });
  process.send!({ url, trees, failed } satisfies ServerReady);
}

main().catch((e: unknown) => {
  process.send?.({ error: String((e as Error).stack ?? e) });
  process.exit(1);
});

// The suite gone (killed, or crashed before its `exit`): nothing is left serving.
process.on('disconnect', () => process.exit(0));
