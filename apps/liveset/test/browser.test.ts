// docs/liveset-osc.md §9: the Live Set mirror's page in a real browser (headless Chromium): a real Tidewire server
// serving the built page, the mirror reading a copy of the Michelle fixture, OSC packets sent
// over UDP to its event port, and a UDP socket standing in for Live that receives the control
// messages the page's buttons produce. Waits poll with generous deadlines; nothing is timed.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { chromiumAvailable, launchChromium, ensureAppBuilt } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import type { NodeSnapshot } from '@tidewire/tree';
import { LiveSetMirror } from '../src/mirror.ts';
import { mountLiveSet } from '../src/mount.ts';
import type { MountedLiveSet } from '../src/mount.ts';
import { decodeOsc, encodeOsc, float, int, str } from '../src/osc/codec.ts';
import type { OscArg, OscMessage } from '../src/osc/codec.ts';
import { fixturePath } from './helpers.ts';
import { buildColumns, shapeOf, visibleColumns } from '../ui/lib/columns.ts';
import { barBeat, beatsPerBar, formatParam, paramFraction } from '../ui/lib/format.ts';
import { liveRgb, textOn } from '../ui/lib/palette.ts';
import { throttle } from '../ui/lib/throttle.ts';
import { dbToFader, faderToDb, formatDb, trackFader } from '../ui/lib/volume.ts';
import { visibleSpan } from '../ui/lib/window.ts';

const APP_DIR = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(APP_DIR, 'dist');
const WAIT_MS = 15_000;

type Page = LaunchedBrowser['page'];

/** A UDP socket standing in for Live: collects what the mirror sends to it. */
async function fakeLive(): Promise<{ socket: Socket; port: number; messages: OscMessage[] }> {
  const socket = createSocket('udp4');
  const messages: OscMessage[] = [];
  socket.on('message', (buf) => messages.push(...decodeOsc(buf)));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, messages };
}

function sendOsc(socket: Socket, port: number, address: string, args: OscArg[]): Promise<void> {
  return new Promise((resolve, reject) => socket.send(encodeOsc(address, args), port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

async function waitFor<T>(get: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const args = (m: OscMessage) => m.args.map((a) => a.value);

/** Text of the header of track `id` in the session view. */
function trackName(page: Page, id: string): Promise<string | null> {
  return page.locator(`[data-track="${id}"] [data-testid="track-name"]`).textContent({ timeout: WAIT_MS });
}

async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(([sel, want]) => Array.from(document.querySelectorAll(sel!)).some((el) => el.textContent === want), [selector, text] as const, {
    timeout: WAIT_MS,
  });
}

// The page's plain logic, without a browser.
describe('§9 the Live Set page logic', () => {
  it('§9.1 windows a virtualised axis from the scroll position', () => {
    assert.deepEqual(visibleSpan(0, 100, 24, 200, 2), { start: 0, end: 7 });
    assert.deepEqual(visibleSpan(240, 100, 24, 200, 2), { start: 8, end: 17 });
    assert.deepEqual(visibleSpan(24 * 199, 100, 24, 200, 2), { start: 197, end: 200 });
    assert.deepEqual(visibleSpan(1e9, 100, 24, 200, 2), { start: 200, end: 200 });
    assert.deepEqual(visibleSpan(Number.NaN, -5, 24, 200, 0), { start: 0, end: 0 });
    assert.deepEqual(visibleSpan(0, 100, 24, 0, 2), { start: 0, end: 0 });
  });

  it('§9.1 numbers song tracks as AbletonOSC does and folds nested groups', () => {
    const attrs: Record<string, Record<string, unknown>> = {
      a: { kind: 'audio' },
      g: { kind: 'group' },
      h: { kind: 'group', group: 'g' },
      c: { kind: 'midi', group: 'h' },
      d: { kind: 'audio', group: 'g' },
      r: { kind: 'return' },
      m: { kind: 'main' },
    };
    const cols = buildColumns(Object.keys(attrs), (id) => shapeOf(attrs[id]));
    assert.deepEqual(
      cols.map((c) => c.songIndex),
      [0, 1, 2, 3, 4, null, null],
    );
    assert.deepEqual(
      cols.map((c) => c.depth),
      [0, 0, 1, 2, 1, 0, 0],
    );
    assert.deepEqual(
      visibleColumns(cols, new Set(['h'])).map((c) => c.id),
      ['a', 'g', 'h', 'd', 'r', 'm'],
    );
    assert.deepEqual(
      visibleColumns(cols, new Set(['g'])).map((c) => c.id),
      ['a', 'g', 'r', 'm'],
    );
    // A damaged set whose groups point at each other neither hangs nor throws.
    const loop = buildColumns(['x', 'y'], (id) => (id === 'x' ? { kind: 'group', group: 'y' } : { kind: 'group', group: 'x' }));
    assert.equal(visibleColumns(loop, new Set(['x'])).length, 0);
  });

  it("§9.2 maps volumes between Live fader units, dB and the file's gain", () => {
    assert.equal(faderToDb(0.85), 0);
    assert.ok(Math.abs(faderToDb(1) - 6) < 1e-9);
    assert.equal(faderToDb(0), -Infinity);
    for (let f = 0.01; f <= 1; f += 0.01) assert.ok(Math.abs(dbToFader(faderToDb(f)) - f) < 1e-9, `round trip at ${f}`);
    assert.ok(Math.abs(trackFader({ volume: 1 })! - 0.85) < 1e-12, 'gain 1 is 0 dB');
    assert.equal(trackFader({ volume: 1, fader: 0.5 }), 0.5, "Live's report wins");
    assert.equal(trackFader({}), null);
    assert.equal(formatDb(-Infinity), '-inf');
    assert.equal(formatDb(1.25), '+1.3');
  });

  it('§9.2 formats positions, parameters and colours', () => {
    assert.equal(barBeat(0, 4), '1.1.1');
    assert.equal(barBeat(5.5, 4), '2.2.3');
    assert.equal(beatsPerBar('7/8'), 3.5);
    assert.equal(beatsPerBar('junk'), 4);
    assert.equal(formatParam({ value: true }), 'On');
    assert.equal(formatParam({ value: 0.5, display: '-6.0 dB' }), '-6.0 dB');
    assert.equal(paramFraction({ value: 5, min: 0, max: 10 }), 0.5);
    assert.equal(paramFraction({ value: 50, min: 0, max: 10 }), 1);
    assert.equal(liveRgb({ color: 0 }), 0xff94a6);
    assert.equal(liveRgb({ color: 0, rgb: 0x102030 }), 0x102030);
    assert.equal(liveRgb({ color: -1 }), null);
    assert.equal(textOn(0xffffff), '#111418');
  });

  it('§9.3 throttles a drag: the first value at once, the last one always', () => {
    let now = 0;
    const got: number[] = [];
    const t = throttle(
      (v: number) => got.push(v),
      33,
      () => now,
    );
    t.push(1);
    t.push(2);
    t.push(3);
    assert.deepEqual(got, [1]);
    t.flush();
    assert.deepEqual(got, [1, 3]);
    now = 100;
    t.push(4);
    assert.deepEqual(got, [1, 3, 4]);
    t.push(5);
    t.cancel();
    t.flush();
    assert.deepEqual(got, [1, 3, 4]);
  });
});

describe('§9 the Live Set page', { skip: chromiumAvailable() ? false : 'no Chromium at CHROMIUM_PATH' }, () => {
  let server: TidewireServer;
  let mounted: MountedLiveSet;
  let browser: LaunchedBrowser;
  let live: Awaited<ReturnType<typeof fakeLive>>;
  let sender: Socket;
  let dir: string;
  let alsPath: string;
  let url: string;

  before(async () => {
    ensureAppBuilt('liveset');
    // A copy, so the error test can damage it.
    dir = mkdtempSync(join(tmpdir(), 'tidewire-liveset-ui-'));
    alsPath = join(dir, 'Michelle.als');
    copyFileSync(fixturePath('michelle'), alsPath);
    live = await fakeLive();
    sender = createSocket('udp4');
    server = await createServer({ port: 0, logger: false, defaultMetrics: false });
    await server.serveStatic('/liveset/', DIST);
    mounted = await mountLiveSet(server, { alsPath, oscPort: 0, simulate: false, liveControl: { address: '127.0.0.1', port: live.port }, log: () => {} });
    url = `${await server.listen()}/liveset/`;
    browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
    await browser.page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await mounted?.close();
    await server?.close();
    live?.socket.close();
    sender?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('§9.1 shows the Michelle set: tracks, clips, mixer and devices', async () => {
    const { page } = browser;
    assert.equal(await trackName(page, 't:16'), '1-Drum Rack');
    assert.equal(await trackName(page, 't:21'), 'Kick');
    assert.equal(await trackName(page, 't:23'), 'Sub');
    assert.equal(await trackName(page, 't:20'), 'Haus');
    assert.equal(await page.getByTestId('tempo').textContent(), '126.00BPM');
    assert.equal(await page.getByTestId('signature').textContent(), '4/4');
    // The audio clip in Haus's first child track, by name; the Drum Rack's clip is there too.
    await waitForText(page, '[data-slot="t:8:0"] .cname', 'drb130HOE27001tribal6');
    assert.equal(await page.locator('[data-slot="t:16:0"] [data-testid="clip"]').count(), 1);
    assert.equal(await page.locator('[data-slot="t:21:0"] [data-testid="clip"]').count(), 0);
    // 10-Quanta 2 is armed in the file; Kick is not.
    assert.equal(await page.locator('[data-strip="t:28"] [data-testid="arm"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('[data-strip="t:21"] [data-testid="arm"]').getAttribute('aria-pressed'), 'false');
    // The first track is selected: its Drum Rack, with the rack's chains.
    await waitForText(page, '[data-testid="devices"] .device .name', 'Drum Rack');
    assert.ok((await page.locator('[data-testid="devices"] .chain').count()) > 10, 'the rack lists its chains');
    assert.ok((await page.getByTestId('hud').textContent())?.includes('msgs'), 'the perf HUD is shown');
    // The HUD's load is snapshot-applied − socket-open, from the page's two marks (docs/client.md §4.1).
    const marks = await page.evaluate(() => ['tidewire:socket-open', 'tidewire:snapshot-applied'].map((n) => performance.getEntriesByName(n, 'mark').length));
    assert.deepEqual(marks, [1, 1], 'one socket-open and one snapshot-applied mark');
    await page.waitForFunction(() => /load +\d+\.\d ms/.test(document.querySelector('[data-testid="hud"]')?.textContent ?? ''), null, { timeout: WAIT_MS });
  });

  it('§9.2 shows a track rename that Live sends over OSC', async () => {
    const { page } = browser;
    await sendOsc(sender, mounted.mirror.oscPort, '/live/track/get/name', [int(1), str('Kick Renamed')]);
    await waitForText(page, '[data-track="t:21"] [data-testid="track-name"]', 'Kick Renamed');
    await waitForText(page, '[data-strip="t:21"] .title', 'Kick Renamed');
  });

  it('§9.2 shows device parameter values as Live reports them', async () => {
    const { page } = browser;
    // Track 0's first device is the Drum Rack; parameter 1 is its first macro (0..127).
    const macro = page.locator('[data-param="t:16/d:1/p:MacroControls.0"] .pval');
    assert.equal(await macro.textContent({ timeout: WAIT_MS }), '0.00');
    await sendOsc(sender, mounted.mirror.oscPort, '/live/device/get/parameter/value', [int(0), int(0), int(1), float(64)]);
    await waitForText(page, '[data-param="t:16/d:1/p:MacroControls.0"] .pval', '64.0');
    await sendOsc(sender, mounted.mirror.oscPort, '/live/device/get/parameter/value_string', [int(0), int(0), int(1), str('64 %')]);
    await waitForText(page, '[data-param="t:16/d:1/p:MacroControls.0"] .pval', '64 %');
  });

  it('§9.1 renders names as text, never as markup', async () => {
    const { page } = browser;
    const hostile = '<img src=x onerror="window.__pwned=1"><b>Sub</b>';
    await sendOsc(sender, mounted.mirror.oscPort, '/live/track/get/name', [int(2), str(hostile)]);
    await waitForText(page, '[data-track="t:23"] [data-testid="track-name"]', hostile);
    assert.equal(await page.locator('[data-track="t:23"] img, [data-track="t:23"] b').count(), 0);
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
  });

  it('§9.3 clicking mute sends /live/track/set/mute, and the button follows Live', async () => {
    const { page } = browser;
    const mute = page.locator('[data-strip="t:21"] [data-testid="mute"]');
    assert.equal(await mute.getAttribute('aria-pressed'), 'false');
    const before = live.messages.length;
    await mute.click();
    const sent = await waitFor(() => live.messages.slice(before).find((m) => m.address === '/live/track/set/mute'), 'the mute message');
    assert.deepEqual(args(sent), [1, 1]);
    assert.deepEqual(
      sent.args.map((a) => a.type),
      ['i', 'i'],
    );
    // Nothing changes until Live confirms; then the tree and the button do.
    assert.equal(await mute.getAttribute('aria-pressed'), 'false');
    await sendOsc(sender, mounted.mirror.oscPort, '/live/track/get/mute', [int(1), int(1)]);
    await page.waitForFunction(() => document.querySelector('[data-strip="t:21"] [data-testid="mute"]')?.getAttribute('aria-pressed') === 'true', null, {
      timeout: WAIT_MS,
    });
  });

  it('§9.3 dragging a fader sends track volumes, ending where it was let go', async () => {
    const { page } = browser;
    const fader = page.locator('[data-strip="t:23"] [data-testid="volume"]');
    const box = (await fader.boundingBox())!;
    const before = live.messages.length;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.4, { steps: 8 });
    await page.mouse.move(box.x + box.width / 2, box.y, { steps: 8 });
    await page.mouse.up();
    const volumes = () => live.messages.slice(before).filter((m) => m.address === '/live/track/set/volume');
    await waitFor(() => {
      const last = volumes().at(-1);
      return last !== undefined && (last.args[1]!.value as number) > 0.98 ? last : undefined;
    }, 'the volume at the top of the fader');
    for (const m of volumes()) {
      assert.equal(m.args[0]!.value, 2);
      assert.equal(m.args[1]!.type, 'f');
      const v = m.args[1]!.value as number;
      assert.ok(v >= 0 && v <= 1, `volume ${v} in 0..1`);
    }
  });

  it('§9.3 clicking a clip fires it, clicking a scene fires the scene', async () => {
    const { page } = browser;
    const before = live.messages.length;
    await page.locator('[data-slot="t:8:0"] [data-testid="clip"]').click();
    const clip = await waitFor(() => live.messages.slice(before).find((m) => m.address === '/live/clip/fire'), 'the clip fire');
    assert.deepEqual(args(clip), [4, 0]);
    await page.locator('[data-scene="2"] button').click();
    const scene = await waitFor(() => live.messages.slice(before).find((m) => m.address === '/live/scene/fire'), 'the scene fire');
    assert.deepEqual(args(scene), [2]);
  });

  it('§9.2 highlights the cursor Live reports', async () => {
    const { page } = browser;
    await sendOsc(sender, mounted.mirror.oscPort, '/live/cursor/clip_slot', [int(0), int(3)]);
    await page.waitForFunction(() => document.querySelector('[data-slot="t:16:3"]')?.classList.contains('cursor') === true, null, { timeout: WAIT_MS });
    assert.equal(await page.locator('.cell.cursor').count(), 1);
  });

  it('§9.1 folds a group track over its children', async () => {
    const { page } = browser;
    assert.equal(await page.locator('[data-track="t:8"]').count(), 1);
    await page.getByRole('button', { name: 'fold group Haus' }).click();
    await page.waitForFunction(() => document.querySelector('[data-track="t:8"]') === null && document.querySelector('[data-track="t:14"]') === null, null, {
      timeout: WAIT_MS,
    });
    assert.equal(await page.locator('[data-track="t:24"]').count(), 1, 'the track after the group is still there');
    await page.getByRole('button', { name: 'unfold group Haus' }).click();
    await page.locator('[data-track="t:8"]').waitFor({ timeout: WAIT_MS });
  });

  it('§9.2 shows a banner when a save cannot be read, and clears it after a good one', async () => {
    const { page } = browser;
    writeFileSync(alsPath, 'not a live set');
    await mounted.mirror.reload();
    const banner = page.getByTestId('error-banner');
    await banner.waitFor({ timeout: WAIT_MS });
    assert.match((await banner.textContent()) ?? '', /ALS_NOT_GZIP/);
    // The last good set stays on screen.
    assert.equal(await trackName(page, 't:16'), '1-Drum Rack');
    copyFileSync(fixturePath('michelle'), alsPath);
    await mounted.mirror.reload();
    await banner.waitFor({ state: 'detached', timeout: WAIT_MS });
  });

  it('logged no page errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});

/** A set of `tracks` × `scenes` with a clip in every third slot. */
function bigSet(tracks: number, scenes: number): NodeSnapshot {
  const node = (id: string, type: string, attrs: NodeSnapshot['attrs'], children: NodeSnapshot[] = []): NodeSnapshot => ({ id, type, attrs, children });
  return node('project', 'project', { tempo: 120, timeSignature: '4/4' }, [
    node(
      'tracks',
      'tracks',
      {},
      Array.from({ length: tracks }, (_, t) =>
        node(`t:${t}`, 'track', { kind: 'midi', name: `Track ${t}`, color: t % 70, mute: false, solo: false, arm: false, volume: 1, pan: 0 }, [
          node(`t:${t}/devices`, 'devices', {}),
          node(
            `t:${t}/slots`,
            'clipslots',
            {},
            Array.from({ length: scenes }, (_, s) =>
              node(
                `t:${t}/s:${s}`,
                'clipslot',
                { hasStop: true },
                (t + s) % 3 === 2 ? [node(`t:${t}/s:${s}/clip`, 'clip', { kind: 'midi', name: `c${t}.${s}`, color: s % 70 })] : [],
              ),
            ),
          ),
          node(`t:${t}/arrangement`, 'arrangement', {}),
        ]),
      ),
    ),
    node(
      'scenes',
      'scenes',
      {},
      Array.from({ length: scenes }, (_, s) => node(`scene:${s}`, 'scene', { name: `Scene ${s}`, color: -1 })),
    ),
    node('locators', 'locators', {}),
  ]);
}

describe('§9.1 the Live Set page with a 200 × 200 set', { skip: chromiumAvailable() ? false : 'no Chromium at CHROMIUM_PATH' }, () => {
  let server: TidewireServer;
  let mirror: LiveSetMirror;
  let browser: LaunchedBrowser;

  before(async () => {
    ensureAppBuilt('liveset');
    server = await createServer({ port: 0, logger: false, defaultMetrics: false });
    await server.serveStatic('/liveset/', DIST);
    mirror = await LiveSetMirror.start(server, { tree: bigSet(200, 200), oscPort: 0, liveControl: false, log: () => {} });
    const url = `${await server.listen()}/liveset/`;
    browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
    await browser.page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await mirror?.close();
    await server?.close();
  });

  it('renders only the cells in view, on both axes', async () => {
    const { page } = browser;
    await page.locator('[data-slot="t:0:0"]').waitFor({ timeout: WAIT_MS });
    const cells = () => page.locator('[data-slot]').count();
    const first = await cells();
    assert.ok(first > 0 && first < 1000, `${first} cells rendered of 40,000`);
    assert.equal(await page.locator('[data-slot="t:199:199"]').count(), 0);
    assert.ok((await page.locator('[data-track]').count()) < 40, 'track headers are windowed too');

    await page.getByTestId('session').evaluate((el) => el.scrollTo(el.scrollWidth, el.scrollHeight));
    await page.locator('[data-slot="t:199:199"]').waitFor({ timeout: WAIT_MS });
    await waitForText(page, '[data-slot="t:199:199"] .cname', 'c199.199');
    assert.equal(await page.locator('[data-slot="t:0:0"]').count(), 0, 'cells scrolled out are gone');
    assert.ok((await cells()) < 1000);
    assert.equal(await trackName(page, 't:199'), 'Track 199');
    assert.deepEqual(browser.errors, []);
  });

  it('§9.1 reveals the first screenful over several frames, not in the task after the swap', async () => {
    // A fresh page that counts the cells in the DOM after every batch of DOM changes from the start.
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __cells: number[] };
      w.__cells = [];
      new MutationObserver(() => {
        const n = document.querySelectorAll('[data-slot]').length;
        if (n !== w.__cells.at(-1)) w.__cells.push(n);
      }).observe(document, { subtree: true, childList: true });
    });
    await page.goto(browser.page.url().replace(/#.*$/, ''));
    const session = page.getByTestId('session');
    await page.locator('[data-testid="session"][data-revealed="true"]').waitFor({ timeout: WAIT_MS });
    const [cols, rows] = [Number(await session.getAttribute('data-cols')), Number(await session.getAttribute('data-rows'))];
    const counts = await page.evaluate(() => (window as unknown as { __cells: number[] }).__cells);
    const full = cols * rows;
    assert.ok(full > 100, `${cols} × ${rows} cells in view`);
    assert.equal(counts.at(-1), full, 'every cell in view in the end');
    const shown = counts.filter((n) => n > 0);
    assert.ok(shown.length >= 3, `cells per frame grew in steps: ${counts.join(', ')}`);
    assert.ok(shown[0]! <= full / 4, `the first frame with cells shows a few: ${counts.join(', ')}`);
    // The first cells are the top row, left to right.
    await page.close();
  });
});
