// docs/liveset-osc.md §2 and §4: wire compatibility with an independent OSC implementation: Debian's liblo-tools. oscsend
// (liblo) sends events to the real server; they reach a client's store over WebSocket. The
// control messages the mirror sends to Live are decoded by oscdump. Spawned with argument
// arrays, never a shell.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { TidewireClient, bindTreeStore } from '@tidewire/client';
import { fixturePath } from './helpers.ts';
import { sleep, startMirror, waitFor } from './mirror-helpers.ts';

const run = promisify(execFile);
const OSCSEND = '/usr/bin/oscsend';
const OSCDUMP = '/usr/bin/oscdump';
// The test suite's ensure script installs liblo-tools; without it these tests must fail, not skip.
const haveLiblo = existsSync(OSCSEND) && existsSync(OSCDUMP);

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('§2 liblo interop', () => {
  it('oscsend events reach a connected client store', async (t) => {
    assert.ok(haveLiblo, 'liblo-tools (oscsend, oscdump) must be installed');
    const { mirror, url } = await startMirror(t, { alsPath: fixturePath('foo') });
    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    const events = new Map<string, unknown>();
    client.events('liveset-events', (k, v) => events.set(k, v));
    const sub = client.tree('liveset');
    await sub.ready();
    const store = bindTreeStore(sub, { flushMs: 0 });
    t.after(() => store.dispose());
    const param = mirror.channel.tree.get('t:8/d:0')!.children[1]!.id;
    const port = String(mirror.oscPort);
    const send = (...args: string[]) => run(OSCSEND, ['127.0.0.1', port, ...args]);
    await send('/live/song/get/tempo', 'f', '133.5');
    await send('/live/track/get/mute', 'iT', '1');
    await send('/live/track/get/name', 'is', '0', 'Kick \u00e9');
    await send('/live/track/get/volume', 'id', '3', '0.25'); // a double, which AbletonOSC never sends
    await send('/live/device/get/parameter/value', 'iiif', '2', '0', '2', '64');
    await send('/live/song/get/beat', 'h', '12'); // a 64-bit int
    await send('/live/cursor/clip_slot', 'ii', '1', '4');
    await send('/live/scene/get/name', 'is', '7', 'Done');
    await store.waitFor((s) => s.get('scene:7')?.attrs.name === 'Done', { timeoutMs: 10_000 });
    await waitFor(() => events.has('cursor') && events.has('beat'), 'the events at the client');
    assert.equal(store.get('project')!.attrs.tempo, 133.5);
    assert.equal(store.get('t:17')!.attrs.mute, true);
    assert.equal(store.get('t:16')!.attrs.name, 'Kick \u00e9');
    assert.equal(store.get('t:14')!.attrs.fader, 0.25);
    assert.equal(store.get(param)!.attrs.value, 64);
    assert.deepEqual(events.get('beat'), { beat: 12 });
    assert.deepEqual(events.get('cursor'), { track: 1, scene: 4, trackId: 't:17', slotId: 't:17/s:4' });
    assert.equal(
      Object.values(mirror.metrics.dropped).reduce((a, b) => a + b, 0),
      0,
    );
  });

  it('§4 oscdump decodes the control messages sent to Live', async (t) => {
    assert.ok(haveLiblo, 'liblo-tools (oscsend, oscdump) must be installed');
    const dumpPort = await freeUdpPort();
    const dump = spawn(OSCDUMP, ['-L', String(dumpPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      dump.kill();
    });
    let out = '';
    dump.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const { url } = await startMirror(t, { alsPath: fixturePath('foo'), liveControl: { address: '127.0.0.1', port: dumpPort } });
    // oscdump prints nothing when it is ready: probe until it shows a message.
    for (let i = 0; !out.includes('/probe'); i++) {
      assert.ok(i < 100, 'oscdump did not start listening');
      await run(OSCSEND, ['127.0.0.1', String(dumpPort), '/probe']);
      await sleep(50);
    }

    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    await client.tree('liveset').ready();
    const control = (key: string, value: unknown) => client.send('liveset-control', key, value);
    control('track.mute', { track: 2, value: true });
    control('track.volume', { track: 0, value: 0.5 });
    control('track.pan', { track: 1, value: -0.25 });
    control('clip.fire', { track: 3, slot: 7 });
    control('scene.fire', { scene: 2 });
    control('device.param', { track: 0, device: 0, param: 1, value: 100 });
    control('song.tempo', { value: 128 });
    control('transport.play', {});
    await waitFor(() => out.includes('/live/song/start_playing'), 'the last control message at oscdump');
    const lines = out
      .split('\n')
      .map((l) => l.replace(/^\S+ /, '').trimEnd()) // drop the time tag
      .filter((l) => l.startsWith('/live/'));
    assert.deepEqual(lines, [
      '/live/track/set/mute ii 2 1',
      '/live/track/set/volume if 0 0.500000',
      '/live/track/set/panning if 1 -0.250000',
      '/live/clip/fire ii 3 7',
      '/live/scene/fire i 2',
      '/live/device/set/parameter/value iiif 0 0 1 100.000000',
      '/live/song/set/tempo f 128.000000',
      '/live/song/start_playing',
    ]);
  });
});
