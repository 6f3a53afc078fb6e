// docs/replay-generator.md §11, serving a race replay: mountReplay (file, bytes or a bundled race generated once and cached in
// .cache/replay/), the timeline's REST metadata, and `tidewire replay serve`.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { bundledRaceFile, cachedRacePath, createReplayCommand, createReplayServeCommand, defaultCacheDir, mountReplay, readReplayInfo } from '../src/index.ts';
import type { IngestModule } from '../src/serve/command.ts';

let cached: { bytes: Uint8Array; path: string };
let tmp: string;
const servers: TidewireServer[] = [];

async function newServer(): Promise<TidewireServer> {
  const s = await createServer({ port: 0, logger: false, defaultMetrics: false });
  servers.push(s);
  return s;
}

function sink(): { write(s: string): void; text: string } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => e.code === code);
}

before(async () => {
  // Generated once per checkout (a few seconds), then read from the cache by every run.
  cached = await bundledRaceFile({ race: '2024-bahrain' });
  tmp = mkdtempSync(join(tmpdir(), 'replay-serve-'));
});

after(async () => {
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('§11.1 the race file cache', () => {
  it('keeps the bundled race under .cache/replay, named by race, seed and generator', async () => {
    assert.equal(cached.path, cachedRacePath('2024-bahrain', 1));
    assert.ok(cached.path.startsWith(defaultCacheDir()));
    assert.match(cached.path, /2024-bahrain-1-[0-9a-f]{8}\.twtl$/);
    const again = await bundledRaceFile({ race: '2024-bahrain' });
    assert.equal(again.generated, false, 'the second call reads the cache');
    assert.deepEqual(again.bytes, cached.bytes);
    assert.equal(readReplayInfo(again.bytes).entities.length, 20);
  });

  it('regenerates a cached file that is damaged', async () => {
    const dir = join(tmp, 'cache');
    const path = cachedRacePath('2024-bahrain', 1, dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, 'not a timeline');
    const r = await bundledRaceFile({ race: '2024-bahrain', cacheDir: dir });
    assert.equal(r.generated, true);
    assert.deepEqual(new Uint8Array(readFileSync(path)), cached.bytes, 'same seed, same bytes');
  });

  it('refuses unknown races and bad seeds', async () => {
    await expectCode(bundledRaceFile({ race: 'monaco' }), 'REPLAY_BAD_OPTION');
    await expectCode(bundledRaceFile({ race: '__proto__' }), 'REPLAY_BAD_OPTION');
    await expectCode(bundledRaceFile({ race: '2024-bahrain', seed: -1 }), 'REPLAY_BAD_OPTION');
    await expectCode(bundledRaceFile({ race: '2024-bahrain', seed: 1.5 }), 'REPLAY_BAD_OPTION');
  });

  it('names the missing data when the data folder is absent', async () => {
    await expectCode(bundledRaceFile({ race: '2024-italy', dataRoot: join(tmp, 'nowhere'), cacheDir: join(tmp, 'empty-cache') }), 'REPLAY_DATA_MISSING');
  });
});

describe('§11.2 mountReplay', () => {
  it('registers the bundled race as timeline "race" with its metadata over REST', async () => {
    const server = await newServer();
    const m = await mountReplay(server, { race: '2024-bahrain' });
    assert.equal(m.path, '/replay/');
    assert.equal(m.title, 'Race replay: Formula 1 Gulf Air Bahrain Grand Prix 2024');
    assert.equal(m.source, cached.path);
    const url = await server.listen();
    const res = await fetch(`${url}/api/timelines/race`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as {
      entities: { code: string }[];
      static: { race: { laps: number }; track: { points: unknown[] }; laps: Record<string, unknown> };
    };
    assert.equal(meta.entities.length, 20);
    assert.equal(meta.entities[0]!.code, 'VER');
    assert.equal(meta.static.race.laps, 57);
    assert.ok(meta.static.track.points.length > 100);
    assert.equal(Object.keys(meta.static.laps).length, 20);
    const seg = await fetch(`${url}/api/timelines/race/segments/0`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(seg.status, 200);
    await m.close();
  });

  it('plays a file given by path or as bytes, under another channel name', async () => {
    const server = await newServer();
    const byPath = await mountReplay(server, { file: cached.path, timeline: 'a' });
    const byBytes = await mountReplay(server, { file: cached.bytes, timeline: 'b' });
    assert.equal(byPath.source, cached.path);
    assert.equal(byBytes.source, null);
    assert.equal(byPath.timeline.frameCount, byBytes.timeline.frameCount);
    assert.equal(byPath.timeline.name, 'a');
  });

  it('refuses bad options, missing files and files that are not timelines', async () => {
    const server = await newServer();
    await expectCode(mountReplay(server, { race: 'nope' }), 'REPLAY_BAD_OPTION');
    await expectCode(mountReplay(server, { file: cached.path, race: '2024-bahrain' }), 'REPLAY_BAD_OPTION');
    await expectCode(mountReplay(server, { file: 42 as unknown as string }), 'REPLAY_BAD_OPTION');
    await expectCode(mountReplay(server, { file: cached.path, timeline: '' }), 'REPLAY_BAD_OPTION');
    await expectCode(mountReplay(server, { file: join(tmp, 'missing.twtl') }), 'REPLAY_DATA_MISSING');
    await expectCode(mountReplay(server, { file: new TextEncoder().encode('definitely not a timeline') }), 'REPLAY_BAD_FILE');
    // A failed mount leaves the name free.
    await mountReplay(server, { file: cached.bytes });
    await expectCode(mountReplay(server, { file: cached.bytes }), 'TW_SERVER_CHANNEL_EXISTS');
  });
});

describe('§11.3 tidewire replay serve', () => {
  async function serve(args: string[], extra: { importIngest?: () => Promise<unknown> } = {}) {
    const out = sink();
    const err = sink();
    const stop = new AbortController();
    const cmd = createReplayServeCommand(out, err, { signal: stop.signal, env: {}, ...extra });
    const done = cmd.run(args);
    return { out, err, stop, done };
  }

  /** The page URL serve prints; fails when serve exits first, or after `timeoutMs` with its output so far. */
  async function waitForUrl(out: { text: string }, done: Promise<number>, timeoutMs = 30_000): Promise<string> {
    let exited: number | undefined;
    void done.then((c) => (exited = c));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /page:\s+(\S+)/.exec(out.text);
      if (m) return m[1]!;
      if (exited !== undefined) throw new Error(`serve exited with ${exited}`);
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for serve to print its page URL; output: ${JSON.stringify(out.text)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('serves a bundled race and its page until stopped', async () => {
    const s = await serve(['--race', '2024-bahrain', '--port', '0']);
    const page = await waitForUrl(s.out, s.done);
    assert.match(page, /^http:\/\/127\.0\.0\.1:\d+\/replay\/$/);
    assert.match(s.out.text, /Race replay: Formula 1 Gulf Air Bahrain Grand Prix 2024/);
    const origin = new URL(page).origin;
    const meta = await fetch(`${origin}/api/timelines/race`);
    assert.equal(meta.status, 200);
    if (existsSync(new URL('../dist/index.html', import.meta.url))) {
      const html = await fetch(page);
      assert.equal(html.status, 200);
      assert.match(await html.text(), /Race replay/);
    }
    s.stop.abort();
    assert.equal(await s.done, 0);
    assert.match(s.out.text, /stopped\n$/);
  });

  it('serves a replay file given as an argument', async () => {
    const s = await serve([cached.path, '--port=0']);
    const page = await waitForUrl(s.out, s.done);
    const meta = (await (await fetch(`${new URL(page).origin}/api/timelines/race`)).json()) as { frameCount: number };
    assert.ok(meta.frameCount > 100_000);
    s.stop.abort();
    assert.equal(await s.done, 0);
  });

  it('hands --udp to the importer and shows its live timeline', async () => {
    const calls: Record<string, unknown>[] = [];
    let closed = false;
    const s = await serve(['--udp', '20777', '--port', '0'], {
      importIngest: async (): Promise<IngestModule> => ({
        async mountReplayIngest(server, options) {
          calls.push(options);
          const channel = server.timeline(options.channel, {
            schema: { name: 'f1-live', rateHz: 20, fields: [{ name: 'x', type: 'f', scale: 0.01 }], entities: [{ id: '1' }] },
            live: true,
          });
          return {
            channel,
            udpAddress: { address: '127.0.0.1', port: 20777 },
            async close() {
              closed = true;
            },
          };
        },
      }),
    });
    const page = await waitForUrl(s.out, s.done);
    // Warnings (a recording file that hit a full disk, docs/replay-import.md §3.7) go to the server's log (docs/server.md §6).
    assert.deepEqual(
      calls.map(({ onWarning, ...o }) => ({ ...o, onWarning: typeof onWarning })),
      [{ channel: 'race', udpPort: 20777, onWarning: 'function' }],
    );
    assert.match(page, /\/replay\/$/);
    assert.match(s.out.text, /udp:\/\/127\.0\.0\.1:20777/);
    const meta = (await (await fetch(`${new URL(page).origin}/api/timelines/race`)).json()) as { live: boolean };
    assert.equal(meta.live, true);
    s.stop.abort();
    assert.equal(await s.done, 0);
    assert.equal(closed, true);
  });

  it('serves --udp with the real importer', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const s = await serve(['--udp', String(port), '--port', '0']);
    const page = await waitForUrl(s.out, s.done);
    assert.match(s.out.text, new RegExp(`udp://127\\.0\\.0\\.1:${port}`));
    const meta = (await (await fetch(`${new URL(page).origin}/api/timelines/race`)).json()) as { live: boolean };
    assert.equal(meta.live, true);
    s.stop.abort();
    assert.equal(await s.done, 0);
  });

  it('says clearly when the UDP importer is not available', async () => {
    let s = await serve(['--udp', '20777', '--port', '0'], { importIngest: async () => ({}) });
    assert.equal(await s.done, 1);
    assert.match(s.err.text, /REPLAY_BAD_OPTION: .*--udp is not available/);
    s = await serve(['--udp', '20777', '--port', '0'], { importIngest: () => Promise.reject(new Error('Cannot find module')) });
    assert.equal(await s.done, 1);
    assert.match(s.err.text, /REPLAY_BAD_OPTION: .*--udp is not available.*Cannot find module/);
  });

  it('rejects usage errors with exit code 2', async () => {
    for (const args of [
      ['a.twtl', '--race', '2024-bahrain'],
      ['--udp', '0'],
      ['--port', 'x'],
      ['--bogus'],
      ['a', 'b'],
      ['--seed', '1', 'file.twtl'],
      ['--race'],
    ]) {
      const s = await serve(args);
      assert.equal(await s.done, 2, args.join(' '));
      assert.match(s.err.text, /usage: tidewire replay serve/);
    }
  });

  it('exits 1 with the code for a missing file or an unknown race', async () => {
    let s = await serve([join(tmp, 'missing.twtl'), '--port', '0']);
    assert.equal(await s.done, 1);
    assert.match(s.err.text, /REPLAY_DATA_MISSING/);
    s = await serve(['--race', 'monaco', '--port', '0']);
    assert.equal(await s.done, 1);
    assert.match(s.err.text, /REPLAY_BAD_OPTION/);
  });

  it('is a subcommand of tidewire replay', async () => {
    const out = sink();
    const code = await createReplayCommand(out, sink()).run(['serve', '--help']);
    assert.equal(code, 0);
    assert.match(out.text, /usage: tidewire replay serve FILE/);
  });
});
