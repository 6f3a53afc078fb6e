// docs/replay-generator.md §12, the race replay page: its plain logic in Node, then the built page in headless Chromium
// against a real server playing the bundled Bahrain race (generated once, cached in
// .cache/replay/). The timing tower on screen is compared with the generator's own frames,
// decoded here with TimelineReader. Waits poll with generous deadlines; nothing is timed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FrameDecoder, TimelineReader } from '@tidewire/timeline';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { chromiumAvailable, launchChromium, ensureAppBuilt } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import { bundledRaceFile, mountReplay } from '../src/index.ts';
import { formatClock, timelineFromQuery } from '../ui/lib/format.ts';
import { columnsOf, formatGap, rowText, runningOrder, statusText } from '../ui/lib/leaderboard.ts';
import type { RowText } from '../ui/lib/leaderboard.ts';
import { lapWindow, leaderLapStarts, parsePoints, parseReplayMeta } from '../ui/lib/meta.ts';

const APP_DIR = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(APP_DIR, 'dist');
const WAIT_MS = 20_000;

/** One frame of the replay, decoded from the file (the generator's truth). */
async function frameValues(reader: TimelineReader, frame: number): Promise<Float64Array> {
  const n = reader.segmentForFrame(frame);
  const seg = await reader.decodeSegment(n, (z) => gunzipSync(z));
  const decoder = new FrameDecoder(reader.schema);
  const v = new Float64Array(reader.schema.entities.length * reader.schema.fields.length);
  const first = reader.segmentInfo(n).firstFrame;
  for (let i = 0; i <= frame - first; i++) decoder.decode(seg.frames[i]!, v);
  return v;
}

const FIELDS = ['x', 'y', 'speed', 'gear', 'throttle', 'brake', 'drs', 'lap', 'position', 'gapToLeader', 'status', 'distance'];
const fi = (n: string) => FIELDS.indexOf(n);
const F = FIELDS.length;

function frame(cars: Array<Partial<Record<string, number>>>): Float64Array {
  const v = new Float64Array(cars.length * F).fill(Number.NaN);
  cars.forEach((c, e) => {
    for (const [k, val] of Object.entries(c)) v[e * F + fi(k)] = val!;
  });
  return v;
}

describe('§12 the replay page logic', () => {
  const cols = columnsOf(fi, F);

  it('§12.2 orders cars by position, then retirements (latest first), then non-starters', () => {
    const v = frame([
      { position: 2, distance: 900 },
      { status: 4 },
      { status: 2, distance: 300 },
      { position: 1, distance: 1000 },
      { status: 2, distance: 700 },
    ]);
    const order: number[] = [];
    assert.equal(runningOrder(v, cols, 5, order), true);
    assert.deepEqual(order, [3, 0, 4, 2, 1]);
    assert.equal(runningOrder(v, cols, 5, order), false, 'same frame, same order');
    v[0 * F + fi('position')] = 1;
    v[3 * F + fi('position')] = 2;
    assert.equal(runningOrder(v, cols, 5, order), true);
    assert.deepEqual(order.slice(0, 2), [0, 3]);
  });

  it('§12.2 shows gaps, intervals and laps down as timing screens do', () => {
    const L = 5000;
    const v = frame([
      { position: 1, distance: 30_000, gapToLeader: 0, lap: 7, status: 0 },
      { position: 2, distance: 29_900, gapToLeader: 1.5, lap: 6, status: 1 },
      { position: 3, distance: 24_000, gapToLeader: 95.25, lap: 5, status: 0 },
      { position: 4, distance: 23_900, gapToLeader: 96, lap: 5, status: 3 },
    ]);
    const order: number[] = [];
    runningOrder(v, cols, 4, order);
    const t: RowText = { gap: '', interval: '', lap: '', status: '' };
    assert.deepEqual({ ...rowText(v, cols, order, 0, L, t) }, { gap: 'LEADER', interval: '', lap: '7', status: '' });
    assert.deepEqual({ ...rowText(v, cols, order, 1, L, t) }, { gap: '+1.500', interval: '+1.500', lap: '6', status: 'PIT' });
    assert.deepEqual({ ...rowText(v, cols, order, 2, L, t) }, { gap: '+1 LAP', interval: '+1 LAP', lap: '5', status: '' });
    // A finished car keeps its frozen time gap.
    assert.deepEqual({ ...rowText(v, cols, order, 3, L, t) }, { gap: '+1:36.000', interval: '+0.750', lap: '5', status: 'FIN' });
    assert.equal(formatGap(Number.NaN), '');
    assert.equal(formatGap(59.9996), '+60.000');
    assert.deepEqual([0, 1, 2, 3, 4, 9].map(statusText), ['', 'PIT', 'OUT', 'FIN', 'DNS', '']);
  });

  it('§12.1 reads the metadata defensively: colours, caps and missing parts', () => {
    const meta = parseReplayMeta(
      {
        rateHz: 25,
        frameCount: 10,
        durationMs: 360,
        entities: [
          { id: '1', code: 'VER', name: '<b>Max</b>', team: 'RB', color: '#3671C6' },
          { id: '44', code: 'HAMILTON', color: 'url(https://evil.example/x.png)' },
          { id: '7' },
        ],
        static: {
          race: { name: 'GP', laps: 3, lapLengthM: 5000 },
          track: {
            points: [
              [0, 0],
              [10, 0],
              [10, 10],
            ],
            lengthM: 5000,
            startFinish: { x: 0, y: 0, heading: 0 },
            drsZones: [{ startM: 1, endM: 2 }, { startM: 'x' }],
          },
          laps: { 1: { startSec: 0, lapEndSec: [90, 180, 270] }, 44: { startSec: 0, lapEndSec: [91, 183, 'bad'] } },
          pitStops: [
            { number: 44, lap: 1, enterSec: 85, exitSec: 108 },
            { number: 99, lap: 1, enterSec: 1, exitSec: 2 },
          ],
        },
      },
      'race',
    );
    assert.deepEqual(
      meta.cars.map((c) => [c.code, c.name, c.color.startsWith('#')]),
      [
        ['VER', '<b>Max</b>', true],
        ['HAMI', 'HAMI', true],
        ['7', '7', true],
      ],
    );
    assert.notEqual(meta.cars[1]!.color, 'url(https://evil.example/x.png)');
    assert.deepEqual(meta.lapEndSec, [[90, 180, 270], [91, 183], null]);
    assert.deepEqual(meta.leaderLapStartSec, [0, 90, 180]);
    assert.deepEqual(lapWindow(meta, 1, 2), { startSec: 91, endSec: 183 });
    assert.deepEqual(lapWindow(meta, 1, 3), { startSec: 183, endSec: null });
    assert.equal(lapWindow(meta, 2, 1), null);
    assert.equal(meta.track!.drsZones.length, 1);
    assert.equal(meta.track!.pitLane, null);
    assert.deepEqual(meta.pitStops, [{ index: 1, lap: 1, enterSec: 85, exitSec: 108 }]);
    assert.equal(
      parsePoints([
        [0, 0],
        [1, 'x'],
      ]),
      null,
    );
    assert.equal(parsePoints(new Array(20_001).fill([0, 0])), null);
    assert.deepEqual(leaderLapStarts([], []), []);
    const bare = parseReplayMeta({ rateHz: 20, entities: [{ id: 'a' }] }, 'live');
    assert.equal(bare.track, null);
    assert.equal(bare.race, null);
    assert.deepEqual(bare.leaderLapStartSec, []);
    assert.throws(() => parseReplayMeta({ entities: [] }, 'x'));
    assert.throws(() => parseReplayMeta('nope', 'x'));
  });

  it('§12.1 formats the clock and checks the timeline name from the URL', () => {
    assert.equal(formatClock(0), '0:00.0');
    assert.equal(formatClock(3_735_250), '1:02:15.2');
    assert.equal(formatClock(65_099), '1:05.0');
    assert.equal(timelineFromQuery(null), 'race');
    assert.equal(timelineFromQuery('live-f1'), 'live-f1');
    assert.equal(timelineFromQuery('../../etc'), 'race');
    assert.equal(timelineFromQuery('x'.repeat(129)), 'race');
  });
});

type Snapshot = { playing: boolean; seeking: boolean; buffering: boolean; frame: number; timeMs: number; leaderboardFrame: number; status: string };

describe('§12 the replay page', { skip: chromiumAvailable() ? false : 'no Chromium at CHROMIUM_PATH' }, () => {
  let server: TidewireServer;
  let browser: LaunchedBrowser;
  let reader: TimelineReader;
  let url: string;

  before(async () => {
    ensureAppBuilt('replay');
    const race = await bundledRaceFile({ race: '2024-bahrain' });
    reader = TimelineReader.open(race.bytes);
    server = await createServer({ port: 0, logger: false, defaultMetrics: false });
    await server.serveStatic('/replay/', DIST);
    await mountReplay(server, { file: race.bytes });
    url = `${await server.listen()}/replay/`;
    browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const snapshot = (): Promise<Snapshot> =>
    browser.page.evaluate(() => {
      const r = (window as unknown as { replay: { player: { state: { get(): Snapshot } }; leaderboardFrame: number } }).replay;
      const s = r.player.state.get();
      return {
        playing: s.playing,
        seeking: s.seeking,
        buffering: s.buffering,
        frame: s.frame,
        timeMs: s.timeMs,
        status: s.status,
        leaderboardFrame: r.leaderboardFrame,
      };
    });

  async function waitSnapshot(check: (s: Snapshot) => boolean, what: string): Promise<Snapshot> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const s = await snapshot();
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const codesOnScreen = () => browser.page.$$eval('[data-testid="leaderboard"] [data-testid="row"]', (rows) => rows.map((r) => r.getAttribute('data-code')));

  it('§12.3 shows the track and the cars on the grid', async () => {
    const { page } = browser;
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { replay?: { firstFrameMs: number | null } }).replay?.firstFrameMs != null, null, {
      timeout: WAIT_MS,
    });
    assert.equal(await page.getByTestId('race-name').textContent(), 'Formula 1 Gulf Air Bahrain Grand Prix 2024');
    const canvasSize = await page.$eval('canvas[data-testid="track"]', (c) => {
      const el = c as HTMLCanvasElement;
      return { w: el.width, h: el.height, cssW: el.clientWidth, dpr: devicePixelRatio };
    });
    assert.equal(canvasSize.w, Math.round(canvasSize.cssW * canvasSize.dpr), 'the backing store follows devicePixelRatio');
    // Frame 0 is the grid: the tower lists the starting order.
    const truth = await frameValues(reader, 0);
    const rows = await codesOnScreen();
    assert.deepEqual(rows, rankedCodes(truth).concat(unrankedCodes(truth)));
    assert.ok((await page.getByTestId('hud').textContent())?.includes('main'), 'the perf HUD is shown');
    // What is on screen can be read back: the grid's time, the time the player shows.
    const shown = await page.evaluate(() => {
      const r = (window as unknown as { replay: { shownTimeMs: number | null; time(): number } }).replay;
      return { shown: r.shownTimeMs, time: r.time() };
    });
    assert.equal(shown.shown, shown.time, 'shownTimeMs is the drawn time');
  });

  function rankedCodes(v: Float64Array): string[] {
    const E = reader.schema.entities.length;
    const pos = reader.schema.fields.findIndex((f) => f.name === 'position');
    const Fn = reader.schema.fields.length;
    const ranked: { code: string; p: number }[] = [];
    for (let e = 0; e < E; e++) {
      const p = v[e * Fn + pos]!;
      if (!Number.isNaN(p)) ranked.push({ code: String(reader.schema.entities[e]!.code), p });
    }
    return ranked.sort((a, b) => a.p - b.p).map((r) => r.code);
  }

  function unrankedCodes(v: Float64Array): string[] {
    const pos = reader.schema.fields.findIndex((f) => f.name === 'position');
    const Fn = reader.schema.fields.length;
    return reader.schema.entities.filter((_, e) => Number.isNaN(v[e * Fn + pos]!)).map((e) => String(e.code));
  }

  it("§12.2 plays, jumps to lap 30 and shows the generator's running order there", async () => {
    const { page } = browser;
    await page.getByTestId('play').click();
    const playing = await waitSnapshot((s) => s.playing && s.timeMs > 500, 'playback to start');
    assert.ok(playing.timeMs > 0);
    // While playing, every drawn frame reports a later race time through onDraw.
    const draws = await page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const r = (window as unknown as { replay: { onDraw(fn: (t: number) => void): () => void } }).replay;
          const times: number[] = [];
          const off = r.onDraw((t) => {
            times.push(t);
            if (times.length === 5) {
              off();
              resolve(times);
            }
          });
        }),
    );
    for (let i = 1; i < draws.length; i++) assert.ok(draws[i]! > draws[i - 1]!, `drawn times advance: ${draws.join(', ')}`);
    await page.getByTestId('lap-select').selectOption('30');
    await waitSnapshot((s) => !s.seeking && s.timeMs >= 30 * 85_000, 'the seek to lap 30');
    await page.getByTestId('play').click(); // pause
    const s = await waitSnapshot((x) => !x.playing && !x.seeking && x.leaderboardFrame === x.frame, 'a paused, settled tower');
    const truth = await frameValues(reader, s.frame);
    const ranked = rankedCodes(truth);
    const screen = await codesOnScreen();
    assert.deepEqual(screen.slice(0, ranked.length), ranked, `running order at frame ${s.frame}`);
    assert.deepEqual(new Set(screen.slice(ranked.length)), new Set(unrankedCodes(truth)));
    // The leader is on lap 30 (the jump lands just after the first car crosses the line).
    const lapField = reader.schema.fields.findIndex((f) => f.name === 'lap');
    const leader = reader.schema.entities.findIndex((e) => e.code === ranked[0]);
    const leaderLap = truth[leader * reader.schema.fields.length + lapField];
    assert.ok(leaderLap === 30 || leaderLap === 31, `leader on lap ${leaderLap}`);
    assert.equal((await page.getByTestId('lap-counter').textContent())?.replace(/\s+/g, ''), `LAP${leaderLap}/57`);
    // Gaps are the file's: the paused playhead sits between two frames, and time gaps interpolate.
    const gapField = reader.schema.fields.findIndex((f) => f.name === 'gapToLeader');
    const next = await frameValues(reader, s.frame + 1);
    const p2 = reader.schema.entities.findIndex((e) => e.code === ranked[1]);
    const o = p2 * reader.schema.fields.length + gapField;
    const text = await page.locator(`[data-testid="row"][data-code="${ranked[1]}"] .num`).first().textContent();
    const shown = Number(text?.replace('+', ''));
    assert.ok(shown >= Math.min(truth[o]!, next[o]!) - 0.0005 && shown <= Math.max(truth[o]!, next[o]!) + 0.0005, `gap ${text} vs ${truth[o]} … ${next[o]}`);
  });

  it('§12.4 steps frames with the arrow keys and plays with space', async () => {
    const { page } = browser;
    const before = await snapshot();
    await page.locator('body').press('ArrowRight');
    await waitSnapshot((s) => s.frame === before.frame + 1 && !s.seeking, 'one frame forward');
    await page.locator('body').press('ArrowLeft');
    await page.locator('body').press('ArrowLeft');
    await waitSnapshot((s) => s.frame === before.frame - 1 && !s.seeking, 'two frames back');
    await page.locator('body').press(' ');
    await waitSnapshot((s) => s.playing, 'space to play');
    await page.locator('body').press(' ');
    await waitSnapshot((s) => !s.playing && s.leaderboardFrame === s.frame, 'space to pause');
  });

  it("§12.5 charts the selected driver's current lap (uPlot, loaded on selection)", async () => {
    const { page } = browser;
    const s = await snapshot();
    const truth = await frameValues(reader, s.frame);
    const code = rankedCodes(truth)[4]!;
    const e = reader.schema.entities.findIndex((x) => x.code === code);
    const lap = truth[e * reader.schema.fields.length + reader.schema.fields.findIndex((f) => f.name === 'lap')]!;
    await page.locator(`[data-testid="row"][data-code="${code}"]`).click();
    await page.waitForSelector('[data-testid="telemetry"][data-status="ready"] .uplot canvas', { timeout: WAIT_MS });
    const tel = (await page.evaluate(() => (window as unknown as { replay: { telemetry(): unknown } }).replay.telemetry())) as {
      lap: number;
      points: number;
      xMin: number;
      xMax: number;
      entity: number;
    };
    assert.equal(tel.entity, e);
    assert.equal(tel.lap, lap, `${code} is on lap ${lap}`);
    // ~95 s of a lap at 25 Hz, from the line to the line (metres into the lap).
    assert.ok(tel.points > 2000 && tel.points < 3500, `${tel.points} samples`);
    assert.ok(tel.xMin < 100 && tel.xMax > 5300, `x from ${tel.xMin} to ${tel.xMax}`);
    assert.equal(await page.getByTestId('driver-card').locator('b').first().textContent(), reader.schema.entities[e]!.name);
    // The follow camera zooms in on the car.
    await page.getByTestId('follow').click();
    assert.equal(
      await page
        .getByTestId('follow')
        .getAttribute('class')
        .then((c) => c?.includes('on')),
      true,
    );
  });

  it('§12.1 plays server-paced with ?mode=server', async () => {
    const { page } = browser;
    await page.goto(`${url}?mode=server`);
    await page.waitForFunction(() => (window as unknown as { replay?: { firstFrameMs: number | null } }).replay?.firstFrameMs != null, null, {
      timeout: WAIT_MS,
    });
    assert.equal(await page.evaluate(() => (window as unknown as { replay: { player: { mode: string } } }).replay.player.mode), 'server');
    await page.getByTestId('play').click();
    await waitSnapshot((s) => s.playing && s.timeMs > 200, 'server-paced playback');
  });

  it('had no page errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
