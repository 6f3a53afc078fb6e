// docs/cluster.md §9: `tidewire serve --redis` — two nodes on one real redis-server (started on
// a free loopback port), each a full `tidewire serve` on its own port, and headless Chromium on
// both: a mute made through node A shows on node B, a solo clicked on node B reaches the
// owner's Live, the replay plays through node B, and node B takes the Live Set over when node A
// stops. Every wait has a deadline and names what it waited for; nothing is timed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TidewireClient } from '@tidewire/client';
import { WebSocket } from 'ws';
import { chromiumAvailable, ensureAppBuilt, launchChromium, redisAvailable, startRedis } from '@tidewire/testkit';
import type { LaunchedBrowser, RunningRedis } from '@tidewire/testkit';
import { CLUSTER_STATUS_CHANNEL, createServeCommand, parseServeArgs, startAll } from '../src/serve.ts';
import type { RunningServe } from '../src/serve.ts';
import { sink } from './helpers.ts';

const WAIT_MS = 20_000;

type Page = LaunchedBrowser['page'];

async function until<T>(get: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port nothing listens on (it was free a moment ago). */
async function freeTcpPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One counter or gauge sample from a node's /metrics (0 when absent). */
async function metric(node: RunningServe, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(WAIT_MS) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The liveset tree's root hash on a node: the ETag of /api/trees/liveset (docs/server.md). */
async function rootHash(node: RunningServe): Promise<string> {
  const res = await fetch(`${node.url}/api/trees/liveset`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(WAIT_MS) });
  await res.arrayBuffer();
  return res.headers.get('etag') ?? '';
}

const pressed = (page: Page, strip: string, button: string) =>
  page.evaluate(([s, b]) => document.querySelector(`[data-strip="${s}"] [data-testid="${b}"]`)?.getAttribute('aria-pressed') ?? null, [strip, button] as const);

async function waitPressed(page: Page, strip: string, button: string, value: 'true' | 'false', where: string): Promise<void> {
  await until(async () => ((await pressed(page, strip, button)) === value ? true : undefined), `${button} of ${strip} to be ${value} on ${where}`);
}

describe(
  '§9 tidewire serve --redis: the apps on two nodes',
  { skip: !redisAvailable() ? 'no redis-server' : !chromiumAvailable() ? 'no Chromium' : false },
  () => {
    let redis: RunningRedis;
    let a: RunningServe;
    let b: RunningServe;
    let browser: LaunchedBrowser;
    let pageA: Page;
    let pageB: Page;
    let aClosed = false;
    const dirs: string[] = [];
    const node = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `tidewire-cluster-${name}-`));
      dirs.push(dir);
      return startAll({
        ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm', '--redis', redis.url]),
        nodeId: name,
        // Both nodes share this process's event loop: node B's start (parsing the set, building
        // its trees) can hold it for over a second on a loaded 2-core CI machine, so node A's
        // renewals (every TTL/3) would stop and a 1-s lease expire under it — node B then owned
        // the set at start (CI run of 2026-12-07). §9.4 does not wait for the TTL: a closing
        // owner deletes its lease and the standby polls every TTL/4.
        leaseTtlMs: 5000,
        studioDataDir: dir,
      });
    };

    before(async () => {
      ensureAppBuilt('liveset');
      ensureAppBuilt('replay');
      redis = await startRedis();
      a = await node('node-a');
      b = await node('node-b');
      browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
      pageA = browser.page;
      pageB = await browser.context.newPage();
    });

    after(async () => {
      await browser?.close();
      await b?.close();
      if (!aClosed) await a?.close();
      await redis?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('§9.1 the first node owns the Live Set, the second follows it; both say so', async () => {
      assert.deepEqual(a.cluster?.channels, [{ name: 'liveset', role: 'owner' }]);
      assert.deepEqual(b.cluster?.channels, [{ name: 'liveset', role: 'replica' }]);
      assert.equal(await metric(a, 'tidewire_cluster_owner', 'channel="liveset"'), 1);
      assert.equal(await metric(b, 'tidewire_cluster_owner', 'channel="liveset"'), 0);
      await until(async () => ((await rootHash(a)) === (await rootHash(b)) ? true : undefined), "node B's tree to be node A's");
    });

    /**
     * The strips with a mute button on the page (the set's tracks), once the page has revealed
     * them all: strips appear over several frames (docs/client.md §4.2), so the list counts when
     * two looks 250 ms apart find the same strips.
     */
    async function strips(page: Page, url: string): Promise<string[]> {
      await page.goto(`${url}/liveset/`);
      let previous = '';
      return until(async () => {
        const ids = await page.$$eval('[data-strip]', (els) =>
          els.filter((e) => e.querySelector('[data-testid="mute"]') !== null).map((e) => e.getAttribute('data-strip')!),
        );
        const settled = ids.length >= 3 && ids.join() === previous;
        previous = ids.join();
        if (!settled) await new Promise((r) => setTimeout(r, 200));
        return settled ? ids : undefined;
      }, 'the session view with all its strips');
    }

    it('§9.2 a mute made through node A shows in the browser on node B', async () => {
      const idsB = await strips(pageB, b.url);
      const idsA = await strips(pageA, a.url);
      assert.deepEqual(idsA, idsB, 'both nodes show the same set');
      const track = idsA[0]!;
      assert.equal(await pressed(pageB, track, 'mute'), 'false');
      await pageA.locator(`[data-strip="${track}"] [data-testid="mute"]`).click();
      await waitPressed(pageB, track, 'mute', 'true', 'node B');
      assert.equal(await rootHash(b), await rootHash(a));
    });

    it("§9.2 a solo clicked on node B goes to the owner's Live, and comes back to both", async () => {
      const track = (await strips(pageB, b.url))[1]!;
      const sentBefore = await metric(a, 'tidewire_liveset_control_sent_total', '');
      await pageB.locator(`[data-strip="${track}"] [data-testid="solo"]`).click();
      await waitPressed(pageB, track, 'solo', 'true', 'node B');
      await waitPressed(pageA, track, 'solo', 'true', 'node A');
      assert.ok((await metric(a, 'tidewire_liveset_control_sent_total', '')) > sentBefore, "node A's simulated Live got the command");
      assert.equal(await metric(b, 'tidewire_liveset_control_sent_total', ''), 0, 'node B never talks to Live');
      assert.ok((await metric(b, 'tidewire_cluster_fanout_sent_total', 'channel="liveset"')) >= 1, 'node B routed the request through Redis');
    });

    it('§9.3 the replay plays through node B', async () => {
      await pageB.goto(`${b.url}/replay/`);
      await pageB.waitForFunction(() => (window as unknown as { replay?: { firstFrameMs: number | null } }).replay?.firstFrameMs != null, null, {
        timeout: WAIT_MS,
      });
      await pageB.getByTestId('play').click();
      await until(
        () =>
          pageB.evaluate(() => {
            const s = (window as unknown as { replay: { player: { state: { get(): { playing: boolean; timeMs: number } } } } }).replay.player.state.get();
            return s.playing && s.timeMs > 500 ? true : undefined;
          }),
        'the replay to play on node B',
      );
      // Recorded segments are the same bytes on every node: the same ETag, so a CDN may cache either.
      const [segA, segB] = await Promise.all([fetch(`${a.url}/api/timelines/race/segments/0`), fetch(`${b.url}/api/timelines/race/segments/0`)]);
      await Promise.all([segA.arrayBuffer(), segB.arrayBuffer()]);
      assert.equal(segA.status, 200);
      assert.equal(segB.headers.get('etag'), segA.headers.get('etag'));
      assert.match(segB.headers.get('cache-control') ?? '', /immutable/);
    });

    it('§9.4 node A stops: node B takes the Live Set over, its page keeps working, and its Live answers', async () => {
      const track = (await strips(pageB, b.url))[2]!;
      aClosed = true;
      await a.close();
      await until(async () => ((await metric(b, 'tidewire_cluster_owner', 'channel="liveset"')) === 1 ? true : undefined), 'node B to own the Live Set');
      await pageB.locator(`[data-strip="${track}"] [data-testid="mute"]`).click();
      await waitPressed(pageB, track, 'mute', 'true', 'node B');
      assert.ok((await metric(b, 'tidewire_liveset_control_sent_total', '')) >= 1, 'node B now talks to its Live');
    });

    it('§9.5 Redis stops answering: node B keeps serving its page, tells its clients and /metrics, and carries on when Redis is back', async (t) => {
      const states: string[] = [];
      const client = new TidewireClient({ url: b.url, WebSocket: WebSocket as never, reconnect: false });
      t.after(() => client.close());
      client.events(CLUSTER_STATUS_CHANNEL, (key, value) => {
        if (key === 'redis') states.push((value as { state: string }).state);
      });
      await until(() => (states.at(-1) === 'up' ? true : undefined), 'the cluster status: Redis up');
      redis.pause();
      try {
        await until(() => (states.at(-1) === 'down' ? true : undefined), 'the cluster status: Redis down');
        assert.equal(await metric(b, 'tidewire_cluster_redis_up', ''), 0);
        const page = await fetch(`${b.url}/liveset/`, { signal: AbortSignal.timeout(WAIT_MS) });
        assert.equal(page.status, 200, 'the page is still served');
        await page.arrayBuffer();
      } finally {
        redis.resume();
      }
      await until(() => (states.at(-1) === 'up' ? true : undefined), 'the cluster status: Redis up again');
      assert.equal(await metric(b, 'tidewire_cluster_redis_up', ''), 1);
      const track = (await strips(pageB, b.url))[3]!;
      await pageB.locator(`[data-strip="${track}"] [data-testid="mute"]`).click();
      await waitPressed(pageB, track, 'mute', 'true', 'node B after Redis came back');
    });
  },
);

describe('§9 tidewire serve --redis without a Redis', () => {
  it('stops with TW_CLUSTER_REDIS naming the URL before serving anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidewire-cluster-none-'));
    try {
      const closed = await freeTcpPort();
      const out = sink();
      const err = sink();
      const code = await createServeCommand(out, err, { studioDataDir: dir }).run([
        '--port',
        '0',
        '--osc-port',
        '0',
        '--no-storm',
        '--redis',
        `redis://127.0.0.1:${closed}`,
      ]);
      assert.equal(code, 1);
      assert.match(err.text, new RegExp(`^tidewire serve: TW_CLUSTER_REDIS: cannot reach Redis at redis://127\\.0\\.0\\.1:${closed}`, 'm'));
      assert.equal(out.text, '', 'no start-up report: the node never served');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
