// docs/liveset-osc.md §4: control messages are validated (key, shape, types, indices, value
// ranges), rate-limited per connection, and refusals are counted by reason; accepted ones
// become exactly one AbletonOSC message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { TidewireClient } from '@tidewire/client';
import { readAls } from '../src/als/parse.ts';
import { ControlHandler } from '../src/control.ts';
import { IndexMap } from '../src/index-map.ts';
import type { OscArg } from '../src/osc/codec.ts';
import { fixturePath } from './helpers.ts';
import { startMirror, waitFor } from './mirror-helpers.ts';

async function handler(opts: { now?: () => number; burst?: number; ratePerSecond?: number; live?: boolean } = {}) {
  const set = await readAls(fixturePath('live08'));
  const map = IndexMap.build(set.tree);
  const byId = new Map<string, Record<string, unknown>>();
  const walk = (n: typeof set.tree) => {
    byId.set(n.id, n.attrs);
    n.children.forEach(walk);
  };
  walk(set.tree);
  const sent: [string, unknown[]][] = [];
  const h = new ControlHandler(
    { map, attrsOf: (id) => byId.get(id) },
    (address: string, args: OscArg[]) => {
      if (opts.live === false) return false;
      sent.push([address, args.map((a) => a.value)]);
      return true;
    },
    opts,
  );
  return { h, sent, map, byId };
}

/** The next double above / below x: the smallest step a range check can get wrong. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const b = new BigInt64Array(new Float64Array([x]).buffer);
  b[0]! += x > 0 ? 1n : -1n;
  return new Float64Array(b.buffer)[0]!;
}
const nextDown = (x: number): number => -nextUp(-x);

describe('§4 control', () => {
  it('turns valid messages into AbletonOSC messages', async () => {
    const { h, sent, map } = await handler();
    assert.equal(map.tracks[0]!.kind, 'group');
    const ok = (key: string, value: unknown) => assert.equal(h.handle(key, value, 1), null, key);
    ok('track.mute', { track: 1, value: true });
    ok('track.solo', { track: 1, value: false });
    ok('track.arm', { track: 2, value: true });
    ok('track.volume', { track: 0, value: 0.85 });
    ok('track.pan', { track: 0, value: -1 });
    ok('clip.fire', { track: 3, slot: 1 });
    ok('clip.stop', { track: 3, slot: 1 });
    ok('scene.fire', { scene: 0 });
    ok('device.param', { track: 2, device: 0, param: 0, value: false });
    ok('song.tempo', { value: 99.5 });
    ok('transport.play', {});
    ok('transport.stop', true);
    assert.deepEqual(sent, [
      ['/live/track/set/mute', [1, 1]],
      ['/live/track/set/solo', [1, 0]],
      ['/live/track/set/arm', [2, 1]],
      ['/live/track/set/volume', [0, 0.85]],
      ['/live/track/set/panning', [0, -1]],
      ['/live/clip/fire', [3, 1]],
      ['/live/clip/stop', [3, 1]],
      ['/live/scene/fire', [0]],
      ['/live/device/set/parameter/value', [2, 0, 0, 0]],
      ['/live/song/set/tempo', [99.5]],
      ['/live/song/start_playing', []],
      ['/live/song/stop_playing', []],
    ]);
  });

  it('refuses bad messages with a reason and sends nothing', async () => {
    const { h, sent, map } = await handler();
    const tracks = map.tracks.length;
    const scenes = map.scenes.length;
    const cases: [string, unknown, string][] = [
      ['track.delete', { track: 0 }, 'unknown_key'],
      ['__proto__', {}, 'unknown_key'],
      ['track.mute', 'yes', 'bad_value'],
      ['track.mute', [1, true], 'bad_value'],
      ['track.mute', { track: 1 }, 'bad_value'],
      ['track.mute', { track: 1, value: 1 }, 'bad_value'],
      ['track.mute', { track: 1.5, value: true }, 'bad_value'],
      ['track.mute', { track: -1, value: true }, 'bad_value'],
      ['track.mute', { track: '1', value: true }, 'bad_value'],
      ['track.mute', { track: 1, value: true, extra: 1 }, 'bad_value'],
      ['track.mute', { track: tracks, value: true }, 'out_of_range'],
      ['track.arm', { track: 0, value: true }, 'not_armable'],
      ['track.volume', { track: 0, value: 1.01 }, 'out_of_range'],
      ['track.volume', { track: 0, value: Number.NaN }, 'bad_value'],
      ['track.pan', { track: 0, value: Infinity }, 'bad_value'],
      ['clip.fire', { track: 0, slot: scenes }, 'out_of_range'],
      ['scene.fire', { scene: scenes }, 'out_of_range'],
      ['device.param', { track: 2, device: 0, param: 0, value: 0.5 }, 'out_of_range'],
      ['device.param', { track: 2, device: 9, param: 1, value: 0 }, 'out_of_range'],
      ['device.param', { track: 2, device: 0, param: 9999, value: 0 }, 'out_of_range'],
      ['song.tempo', { value: 1000 }, 'out_of_range'],
      ['transport.play', { now: true }, 'bad_value'],
    ];
    for (const [key, value, reason] of cases) assert.equal(h.handle(key, value, 1), reason, `${key} ${JSON.stringify(value)}`);
    assert.deepEqual(sent, []);
  });

  it('checks a parameter value against its range', async () => {
    const { h } = await handler();
    // live08 track 2 device 0: its first parameter's range comes from the file.
    const r = h.handle('device.param', { track: 2, device: 0, param: 1, value: 1e9 }, 1);
    assert.equal(r, 'out_of_range');
  });

  it('accepts every ranged value at its exact bounds and refuses the next double past them', async () => {
    // Four messages per range, a few hundred in all: the rate limit is not what this checks.
    const { h, sent, map, byId } = await handler({ burst: 1e9 });
    // [what, key, fields for a value, min, max]: the table's fixed ranges, then every device
    // parameter of live08 with a min–max from the file, then parameter 0 (Device On, 0 or 1).
    const ranged: [string, string, (x: number) => Record<string, number>, number, number][] = [
      ['track.volume', 'track.volume', (x) => ({ track: 0, value: x }), 0, 1],
      ['track.pan', 'track.pan', (x) => ({ track: 0, value: x }), -1, 1],
      ['song.tempo', 'song.tempo', (x) => ({ value: x }), 20, 999],
    ];
    map.tracks.forEach((t, i) =>
      t.devices.forEach((d, j) => {
        ranged.push([`device ${i}/${j} on`, 'device.param', (x) => ({ track: i, device: j, param: 0, value: x }), 0, 1]);
        d.params.forEach((id, p) => {
          const { min, max } = byId.get(id) ?? {};
          if (typeof min !== 'number' || typeof max !== 'number') return;
          ranged.push([`device ${i}/${j} param ${p + 1}`, 'device.param', (x) => ({ track: i, device: j, param: p + 1, value: x }), min, max]);
        });
      }),
    );
    const params = ranged.filter(([, key]) => key === 'device.param').length - map.tracks.reduce((n, t) => n + t.devices.length, 0);
    assert.ok(params >= 3, `live08 has ranged device parameters (${params})`);
    for (const [what, key, fields, min, max] of ranged) {
      assert.equal(h.handle(key, fields(min), 1), null, `${what}: min ${min} accepted`);
      assert.equal(h.handle(key, fields(max), 1), null, `${what}: max ${max} accepted`);
      assert.equal(h.handle(key, fields(nextDown(min)), 1), 'out_of_range', `${what}: ${nextDown(min)} (the double below min) refused`);
      assert.equal(h.handle(key, fields(nextUp(max)), 1), 'out_of_range', `${what}: ${nextUp(max)} (the double above max) refused`);
    }
    // Only the bounds went out, each as its own value.
    assert.deepEqual(
      sent.map(([, args]) => args.at(-1)),
      ranged.flatMap(([, , , min, max]) => [min, max]),
    );
  });

  it('rate-limits each connection on its own', async () => {
    let now = 0;
    const { h } = await handler({ now: () => now, burst: 3, ratePerSecond: 10 });
    const m = { track: 1, value: true };
    assert.deepEqual(
      [1, 2, 3, 4].map(() => h.handle('track.mute', m, 7)),
      [null, null, null, 'rate_limited'],
    );
    assert.equal(h.handle('track.mute', m, 8), null, 'another connection has its own budget');
    now += 100; // one token back at 10/s
    assert.deepEqual(
      [1, 2].map(() => h.handle('track.mute', m, 7)),
      [null, 'rate_limited'],
    );
  });

  it('reports no_live when there is nowhere to send', async () => {
    const { h } = await handler({ live: false });
    assert.equal(h.handle('scene.fire', { scene: 0 }, 1), 'no_live');
  });

  it('counts refusals of messages from real clients, and leaves the tree alone', async (t) => {
    const { mirror, url } = await startMirror(t, { alsPath: fixturePath('foo') });
    const before = mirror.channel.tree.rootHash;
    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    await client.tree('liveset').ready();
    client.send('liveset-control', 'track.mute', { track: 99, value: true });
    client.send('liveset-control', 'nope', 1);
    client.send('liveset-control', 'track.solo', { track: 0, value: true });
    await waitFor(() => mirror.metrics.controlRejected.no_live === 1, 'the third message');
    assert.equal(mirror.metrics.controlRejected.out_of_range, 1);
    assert.equal(mirror.metrics.controlRejected.unknown_key, 1);
    assert.equal(mirror.channel.tree.rootHash, before);
  });
});
