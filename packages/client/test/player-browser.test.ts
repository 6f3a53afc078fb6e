// docs/client.md §5.3 and docs/timeline-format.md §W.7. Acceptance (issue "Timeline streaming", item 4): in Chromium, a client-paced Player — segments
// fetched over HTTP as stored gzip and inflated by the browser, decoded in a Web Worker —
// plays, seeks and shows the right frame compared with the file's truth (decoded here in Node
// with TimelineReader). The test page (test/player-page) is built with Vite by this test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromiumAvailable, launchChromium } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import type { PlayerState } from '@tidewire/client';
import { interpolationMask } from '@tidewire/client';
import { F, FIELD, PERIOD_MS, buildTimeline, decodeTruth, expectedAt, raceSchema } from './player-fixtures.ts';

const FRAMES = 1500; // 60 s at 25 Hz, 30 segments
const pageDir = fileURLToPath(new URL('./player-page/', import.meta.url));
const schema = raceSchema();
const mask = interpolationMask(schema.fields);
/** Per field: half a quantisation step for numeric fields, exact for stepped ones. */
const tolerance = schema.fields.map((f, i) => (mask[i] === 1 ? (f.scale ?? 1) / 2 : 0));

interface Snapshot {
  state: PlayerState;
  values: number[] | null;
  drawn: number;
}

describe(
  'client.md §5.3, timeline-format.md §W.7: Player in Chromium (client-paced)',
  { timeout: 180_000, skip: chromiumAvailable() ? false : 'no Chromium' },
  () => {
    let server: TidewireServer;
    let browser: LaunchedBrowser;
    let url: string;
    let outDir: string;
    let truth: Float64Array[];
    const segmentResponses: { status: number; encoding: string | undefined }[] = [];

    before(async () => {
      const file = await buildTimeline(FRAMES);
      truth = (await decodeTruth(file)).frames;
      outDir = await mkdtemp(join(tmpdir(), 'tidewire-player-page-'));
      await build({
        root: pageDir,
        base: '/player/',
        logLevel: 'warn',
        configFile: false,
        build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, minify: false },
        worker: { format: 'es' },
      });
      server = await createServer({ port: 0, logger: false, defaultMetrics: false });
      server.timeline('race', { file });
      await server.serveStatic('/player/', outDir);
      url = await server.listen();
      browser = await launchChromium();
      browser.context.on('response', (res) => {
        if (res.url().includes('/segments/')) segmentResponses.push({ status: res.status(), encoding: res.headers()['content-encoding'] });
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    function snapshot(): Promise<Snapshot> {
      return browser.page.evaluate(() => (window as unknown as { tl: { snapshot(): Snapshot } }).tl.snapshot());
    }

    /** Waits for `check` (source over the snapshot `s`) to hold in the page; after 20 s it fails
     *  with `timed out after 20000 ms waiting for <check>` and the page's last state. */
    async function until(check: string, arg?: unknown): Promise<unknown> {
      const timeoutMs = 20_000;
      try {
        return await browser.page.waitForFunction(
          // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the check is test source text evaluated in the page
          ({ check, arg }) => new Function('s', 'arg', `return ${check}`)((window as unknown as { tl?: { snapshot(): unknown } }).tl?.snapshot(), arg),
          { check, arg },
          { timeout: timeoutMs, polling: 'raf' },
        );
      } catch (e) {
        if ((e as Error).name !== 'TimeoutError') throw e;
        const state = await snapshot().then(
          (s) => JSON.stringify(s.state),
          () => 'no snapshot',
        );
        const on = arg === undefined ? '' : ` (arg ${JSON.stringify(arg)})`;
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${check}${on}; state ${state}`, { cause: e });
      }
    }

    function control(code: string): Promise<void> {
      return browser.page.evaluate((code) => {
        const player = (window as unknown as { tl: { player: unknown } }).tl.player;
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the check is test source text evaluated in the page
        new Function('player', code)(player);
      }, code);
    }

    /** The file's values at (frame, timeMs), interpolated per field as the player must. */
    function expected(frame: number, timeMs: number): Float64Array {
      return expectedAt(truth, mask, frame, timeMs);
    }

    function assertShows(s: Snapshot, want: Float64Array, exact: boolean, what: string): void {
      assert.ok(s.values, `${what}: values on screen`);
      for (let c = 0; c < want.length; c++) {
        const got = s.values![c]!;
        const w = want[c]!;
        if (Number.isNaN(w)) {
          assert.ok(Number.isNaN(got), `${what}: cell ${c} should be absent, is ${got}`);
          continue;
        }
        const tol = exact ? 0 : tolerance[c % F]!;
        assert.ok(Math.abs(got - w) <= tol, `${what}: cell ${c} (entity ${Math.floor(c / F)}, ${schema.fields[c % F]!.name}) is ${got}, the file says ${w}`);
      }
    }

    it('plays, seeks and shows the file’s frames; segments come gzip over HTTP and decode in a worker', async (t) => {
      const { page } = browser;
      await page.goto(`${url}/player/`);
      await until(`s && s.state.status === 'ready'`);
      let s = await snapshot();
      assert.equal(s.state.mode, 'client');
      assert.equal(s.state.frameCount, FRAMES);
      assert.equal(s.state.frame, 0);
      assertShows(s, truth[0]!, true, 'first frame');

      // The engine runs in a worker: the page has one, and the page's bundle has no frame decoder.
      assert.ok(page.workers().length >= 1, 'a Web Worker is running');
      const html = await readFile(join(outDir, 'index.html'), 'utf8');
      const entry = /<script type="module"[^>]* src="\/player\/([^"]+)"/.exec(html)?.[1];
      assert.ok(entry, 'the page has a module entry');
      const mainJs = await readFile(join(outDir, entry), 'utf8');
      assert.ok(!mainJs.includes('TL_NO_KEYFRAME'), 'the codec stays out of the page bundle');
      const workerJs = page
        .workers()
        .map((w) => w.url())
        .find((u) => u.includes('/assets/worker-'));
      assert.ok(
        workerJs && (await readFile(join(outDir, new URL(workerJs).pathname.replace('/player/', '')), 'utf8')).includes('TL_NO_KEYFRAME'),
        'the worker decodes',
      );

      // Paused seek to a frame: exactly that frame (one segment fetched first).
      await control(`player.seek({ frame: 1037 })`);
      await until(`s.state.frame === 1037 && !s.state.seeking`);
      s = await snapshot();
      assertShows(s, truth[1037]!, true, 'seek to frame 1037');

      // Paused seek between two frames: numeric fields interpolated, the others stepped.
      const between = 400 * PERIOD_MS + PERIOD_MS / 4;
      await control(`player.seek(${between})`);
      await until(`s.state.frame === 400 && !s.state.seeking`);
      s = await snapshot();
      assert.equal(s.state.timeMs, between);
      assertShows(s, expected(400, between), false, 'seek to 400¼');
      assert.equal(s.values![FIELD.frame], 400);

      // Play at 2×: the picture moves; every snapshot matches the file at its time.
      await control(`player.setSpeed(2); player.play()`);
      await until(`s.state.playing && s.state.frame >= 430`);
      const seen: Snapshot[] = [];
      for (let k = 0; k < 8; k++) {
        seen.push(await snapshot());
        await page.waitForTimeout(37);
      }
      for (const snap of seen)
        assertShows(snap, expected(snap.state.frame, snap.state.timeMs), false, `playing, frame ${snap.state.frame} at ${snap.state.timeMs.toFixed(2)} ms`);
      assert.ok(seen.at(-1)!.state.timeMs > seen[0]!.state.timeMs, 'time moves while playing');
      assert.ok(seen.at(-1)!.drawn > seen[0]!.drawn, 'the canvas redraws');

      // Seek while playing, far ahead: lands on the target and keeps playing from there.
      await control(`player.seek({ frame: 1300 })`);
      await until(`s.state.frame >= 1300 && !s.state.seeking && s.state.playing`);
      s = await snapshot();
      assert.ok(s.state.frame < 1300 + 50, `just after the target: ${s.state.frame}`);
      assertShows(s, expected(s.state.frame, s.state.timeMs), false, 'after a seek while playing');

      // Pause: the picture holds on frameAt(timeMs).
      await control(`player.pause()`);
      await until(`!s.state.playing`);
      const p1 = await snapshot();
      await page.waitForTimeout(100);
      const p2 = await snapshot();
      assert.equal(p2.state.timeMs, p1.state.timeMs);
      assert.deepEqual(p2.values, p1.values);
      assertShows(p2, expected(p2.state.frame, p2.state.timeMs), false, 'paused');

      // Step back two frames: whole frames, exact.
      await control(`player.step(-2)`);
      await until(`s.state.frame === arg && !s.state.seeking`, p2.state.frame - 2);
      assertShows(await snapshot(), truth[p2.state.frame - 2]!, true, 'step -2');

      // Play to the end: stops on the last frame.
      await control(`player.seek({ frame: ${FRAMES - 40} }); player.setSpeed(16); player.play()`);
      await until(`!s.state.playing && s.state.frame === arg`, FRAMES - 1);
      assertShows(await snapshot(), truth[FRAMES - 1]!, true, 'last frame');

      const metrics = (await page.evaluate(() => (window as unknown as { tl: { player: { metrics: unknown } } }).tl.player.metrics)) as {
        segmentsFetched: number;
        bytesFetched: number;
        seekMs: number[];
        framesDecoded: number;
      };
      assert.ok(metrics.segmentsFetched > 0 && metrics.framesDecoded === metrics.segmentsFetched * 50);
      assert.ok(segmentResponses.length > 0, 'segment responses seen');
      for (const r of segmentResponses) {
        assert.equal(r.status, 200);
        assert.equal(r.encoding, 'gzip', 'stored gzip bytes, inflated by the browser');
      }
      t.diagnostic(
        `browser: ${metrics.segmentsFetched} segments, ${metrics.bytesFetched} bytes fetched, seek latency ms ${metrics.seekMs.map((x) => x.toFixed(1)).join(' ')}`,
      );
      assert.deepEqual(browser.errors, []);
    });
  },
);
