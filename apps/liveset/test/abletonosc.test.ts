// docs/liveset-osc.md §2.2 (client mode) over real UDP against a fake AbletonOSC: a full sync,
// listeners, control confirmed by Live, a structural change found by the poll, a restart, and
// lost packets.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { TidewireClient } from '@tidewire/client';
import type { LiveSetMirrorOptions } from '../src/mirror.ts';
import { int, str } from '../src/osc/codec.ts';
import type { OscMessage } from '../src/osc/codec.ts';
import { FakeAbletonOsc, fakeDevice, fakeTrack } from './fake-abletonosc.ts';
import type { FakeOptions, FakeSong } from './fake-abletonosc.ts';
import { fixturePath, fixtureXml, gzipText } from './helpers.ts';
import { startMirror, udpSender, waitFor } from './mirror-helpers.ts';

/** Foo's four song tracks as Live reports them, with a clip and some state the file lacks. */
function fooSong(): FakeSong {
  const rack = () =>
    fakeDevice('eq8', 'AudioEffectGroupDevice', [
      ['LOW F', 0, 0, 127],
      ['HI Shelf F', 63, 0, 127],
      ['Chain Selector', 0, 0, 127],
    ]);
  return {
    tempo: 124,
    playing: false,
    scenes: Array.from({ length: 8 }, (_, s) => ({ name: s === 0 ? 'Intro' : '' })),
    tracks: [
      fakeTrack('1-MIDI', { midi: true, devices: [rack()], clips: [{ name: 'Beat', color: 0xff0000 }] }),
      fakeTrack('2-MIDI', { midi: true, devices: [rack()], mute: true }),
      fakeTrack('3-Audio', { devices: [rack()] }),
      fakeTrack('4-Audio', { devices: [rack()], volume: 0.5 }),
    ].map((t) => ({ ...t, clips: Array.from({ length: 8 }, (_, s) => t.clips[s] ?? null) })),
  };
}

async function setup(t: TestContext, song: FakeSong, opts: { fake?: FakeOptions; mirror?: LiveSetMirrorOptions } = {}) {
  const fake = await FakeAbletonOsc.start(song, opts.fake);
  t.after(() => fake.close());
  const started = await startMirror(t, {
    abletonOsc: { host: '127.0.0.1', port: fake.port, listenPort: 0, pollMs: 100, requests: { timeoutMs: 100, retries: 4 } },
    ...(opts.mirror ?? {}),
  });
  await waitFor(() => started.mirror.liveStatus?.lastSync != null, 'the first sync');
  return { fake, ...started };
}

describe('§2.2 AbletonOSC client mode', () => {
  it('builds the tree from Live, keeping the .als ids of the tracks that pair', async (t) => {
    const { mirror, url } = await setup(t, fooSong(), { mirror: { alsPath: fixturePath('foo') } });
    const tree = mirror.channel.tree;
    assert.deepEqual(
      mirror.map.tracks.map((x) => x.id),
      ['t:16', 't:17', 't:8', 't:14'],
    );
    assert.equal(tree.root.attrs.tempo, 124);
    assert.equal(tree.get('t:17')!.attrs.mute, true);
    assert.equal(tree.get('t:14')!.attrs.fader, 0.5);
    assert.equal(tree.get('t:16/s:0/clip')!.attrs.name, 'Beat');
    assert.equal(tree.get('t:16/s:0/clip')!.attrs.rgb, 0xff0000);
    assert.equal(tree.get('scene:0')!.attrs.name, 'Intro');
    // Live's parameter list (index 1 = first after Device On) replaces the file's.
    assert.deepEqual(
      tree
        .get('t:16/d:0')!
        .children.filter((c) => c.type === 'param')
        .map((c) => [c.id, c.attrs.name]),
      [
        ['t:16/d:0/p:#1', 'LOW F'],
        ['t:16/d:0/p:#2', 'HI Shelf F'],
        ['t:16/d:0/p:#3', 'Chain Selector'],
      ],
    );
    assert.ok(tree.get('t:16/d:0/c:0'), 'rack chains come from the file');
    assert.equal(tree.get('t:2')!.attrs.kind, 'return', 'returns come from the file');
    assert.equal(mirror.map.param(0, 0, 2)!.id, 't:16/d:0/p:#2');

    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    const sub = await client.tree('liveset').ready();
    assert.equal(sub.rootHash, tree.rootHash);
  });

  it('a save of the .als does not override what Live reports', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tidewire-liveset-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'Song.als');
    copyFileSync(fixturePath('foo'), file);
    const song = fooSong();
    song.tracks[2]!.name = 'Renamed in Live';
    const { mirror } = await setup(t, song, { mirror: { alsPath: file, watchDebounceMs: 30 } });
    const tree = mirror.channel.tree;
    assert.equal(tree.get('t:8')!.attrs.name, 'Renamed in Live');
    // Saved again: the file still says 3-Audio and an unmuted 2-MIDI; Live says otherwise.
    writeFileSync(join(dir, 'tmp.als'), gzipText(fixtureXml('foo')));
    renameSync(join(dir, 'tmp.als'), file);
    await waitFor(() => mirror.metrics.alsLoads.ok === 2, 'the reload');
    assert.equal(tree.get('t:8')!.attrs.name, 'Renamed in Live');
    assert.equal(tree.get('t:17')!.attrs.mute, true);
  });

  it('without an .als, Live-only nodes get positional ids', async (t) => {
    const { mirror } = await setup(t, fooSong());
    assert.deepEqual(
      mirror.map.tracks.map((x) => x.id),
      ['t:L0', 't:L1', 't:L2', 't:L3'],
    );
    assert.equal(mirror.map.param(3, 0, 1)!.id, 't:L3/d:L0/p:#1');
    assert.equal(mirror.channel.tree.get('t:L0')!.attrs.kind, 'midi');
  });

  it('listeners move the tree; control reaches Live and the tree changes only when Live confirms', async (t) => {
    const { mirror, fake, url } = await setup(t, fooSong(), { fake: { holdSets: true } });
    const tree = mirror.channel.tree;
    await waitFor(() => fake.listenerCount > 0 && mirror.events.latest('transport') !== undefined, 'listeners');
    fake.setTrack(2, 'name', 'Lead');
    fake.setParam(0, 0, 1, 99);
    await waitFor(() => tree.get('t:L2')?.attrs.name === 'Lead' && tree.get('t:L0/d:L0/p:#1')?.attrs.value === 99, 'listener updates');
    assert.equal(tree.get('t:L0/d:L0/p:#1')!.attrs.display, '99.00');

    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    const sub = await client.tree('liveset').ready();
    client.send('liveset-control', 'track.mute', { track: 2, value: true });
    client.send('liveset-control', 'device.param', { track: 0, device: 0, param: 2, value: 12 });
    await waitFor(() => fake.heldCount === 2, 'the control messages to reach Live');
    const sets = fake.received.filter((m) => m.address.includes('/set/'));
    assert.deepEqual(
      sets.map((m) => [m.address, m.args.map((a) => a.value)]),
      [
        ['/live/track/set/mute', [2, 1]],
        ['/live/device/set/parameter/value', [0, 0, 2, 12]],
      ],
    );
    assert.equal(tree.get('t:L2')!.attrs.mute, false, 'no optimistic change');
    fake.confirm();
    await waitFor(
      () => sub.tree?.get('t:L2')?.attrs.mute === true && sub.tree?.get('t:L0/d:L0/p:#2')?.attrs.value === 12,
      'the confirmed values at the client',
    );
    assert.equal(mirror.metrics.controlSent, 2);
  });

  it('a track added in Live appears after the next poll, in one batch', async (t) => {
    const { mirror, fake, url } = await setup(t, fooSong(), { mirror: { alsPath: fixturePath('foo') } });
    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    const sub = await client.tree('liveset').ready();
    const structural: number[] = [];
    sub.on('ops', (e) => structural.push(e.ops.filter((op) => op[0] === 1 || op[0] === 2).length));
    fake.addTrack(fakeTrack('New Synth', { midi: true, devices: [fakeDevice('Wavetable', 'InstrumentVector', [['Osc 1 Pos', 0.5, 0, 1]])] }), 1);
    await waitFor(() => mirror.map.tracks.length === 5 && sub.rootHash === mirror.channel.tree.rootHash, 'the new track at the client');
    assert.deepEqual(
      mirror.map.tracks.map((x) => x.id),
      ['t:16', 't:L1', 't:17', 't:8', 't:14'],
      'tracks after the insert keep their ids',
    );
    assert.equal(mirror.channel.tree.get('t:L1')!.attrs.name, 'New Synth');
    assert.equal(structural.filter((n) => n > 0).length, 1, 'the whole structural change arrived in one batch');
  });

  it('re-syncs and listens again when AbletonOSC restarts', async (t) => {
    const { mirror, fake } = await setup(t, fooSong());
    await waitFor(() => fake.listenerCount > 0, 'listeners');
    const syncs = mirror.metrics.liveSyncs;
    fake.song.tempo = 90; // changed while the script was down: no listener told anyone
    fake.restart();
    assert.equal(fake.listenerCount, 0);
    await waitFor(() => mirror.metrics.liveSyncs > syncs && fake.listenerCount > 0, 'the re-sync');
    assert.equal(mirror.channel.tree.root.attrs.tempo, 90);
    fake.setTrack(0, 'solo', true);
    await waitFor(() => mirror.channel.tree.get('t:L0')?.attrs.solo === true, 'listeners after the restart');
  });

  it('ignores packets on the reply port that do not come from AbletonOSC', async (t) => {
    const { mirror } = await setup(t, fooSong());
    const udp = await udpSender(t);
    await udp.send(mirror.linkPort!, '/live/track/get/name', [int(0), str('spoofed')]);
    await waitFor(() => mirror.metrics.dropped.OSC_UNKNOWN_SENDER === 1, 'the drop');
    assert.equal(mirror.channel.tree.get('t:L0')!.attrs.name, '1-MIDI');
  });

  it('retries lost requests', async (t) => {
    // Lose the first datagram of every third distinct request; its resend gets through.
    const seen = new Set<string>();
    const drop = (m: OscMessage) => {
      if (!m.address.includes('/get/')) return false;
      const key = `${m.address} ${m.args.map((a) => String(a.value)).join(' ')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return seen.size % 3 === 0;
    };
    const { mirror } = await setup(t, fooSong(), { fake: { drop } });
    assert.ok(mirror.metrics.liveRequests.retry > 0);
    assert.equal(mirror.metrics.liveRequests.timeout, 0);
    assert.equal(mirror.map.tracks.length, 4);
  });
});
