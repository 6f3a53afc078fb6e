// docs/liveset-osc.md §2 (the event port) and §5 (drops): AbletonOSC-style messages over real
// UDP become set ops on the right nodes and latest-wins events; malformed input is counted by
// reason and never changes the tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float, int, str, bool } from '../src/osc/codec.ts';
import { fixturePath } from './helpers.ts';
import { startMirror, totalDrops, udpSender, waitFor } from './mirror-helpers.ts';

describe('§2 event port', () => {
  it('maps AbletonOSC indices to node ids and sets the reported properties', async (t) => {
    const { mirror } = await startMirror(t, { alsPath: fixturePath('foo') });
    const udp = await udpSender(t);
    const port = mirror.oscPort;
    const tree = mirror.channel.tree;
    // Foo: song tracks t:16, t:17, t:8, t:14 (returns are not indexed); each has a rack t:X/d:0.
    assert.deepEqual(
      mirror.map.tracks.map((x) => x.id),
      ['t:16', 't:17', 't:8', 't:14'],
    );
    const firstParam = tree.get('t:8/d:0')!.children[0]!.id;
    await udp.send(port, '/live/song/get/tempo', [float(128.5)]);
    await udp.send(port, '/live/track/get/name', [int(0), str('Kick\u0007 bus')]);
    await udp.send(port, '/live/track/get/mute', [int(1), bool(true)]);
    await udp.send(port, '/live/track/get/solo', [int(1), int(1)]);
    await udp.send(port, '/live/track/get/arm', [int(2), bool(true)]);
    await udp.send(port, '/live/track/get/volume', [int(3), float(0.5)]);
    await udp.send(port, '/live/track/get/panning', [int(3), float(-0.25)]);
    await udp.send(port, '/live/track/get/color', [int(0), int(0xff8800)]);
    await udp.send(port, '/live/track/get/color_index', [int(0), int(12)]);
    await udp.send(port, '/live/device/get/parameter/value', [int(2), int(0), int(0), int(0)]);
    await udp.send(port, '/live/device/get/parameter/value', [int(2), int(0), int(1), float(42)]);
    await udp.send(port, '/live/device/get/parameter/value_string', [int(2), int(0), int(1), str('42 %')]);
    await udp.send(port, '/live/clip/get/name', [int(0), int(3), str('Verse')]);
    await udp.send(port, '/live/clip/get/color', [int(0), int(3), int(0x00ff00)]);
    await udp.send(port, '/live/scene/get/name', [int(7), str('Outro')]);
    await waitFor(() => tree.get('scene:7')?.attrs.name === 'Outro', 'the last message to apply');

    assert.equal(tree.root.attrs.tempo, 128.5);
    assert.equal(tree.get('t:16')!.attrs.name, 'Kick bus', 'control characters stripped');
    assert.equal(tree.get('t:17')!.attrs.mute, true);
    assert.equal(tree.get('t:17')!.attrs.solo, true);
    assert.equal(tree.get('t:8')!.attrs.arm, true);
    assert.equal(tree.get('t:14')!.attrs.fader, 0.5);
    assert.equal(tree.get('t:14')!.attrs.pan, -0.25);
    assert.equal(tree.get('t:14')!.attrs.volume, 1, 'the file gain is a different quantity and stays');
    assert.equal(tree.get('t:16')!.attrs.rgb, 0xff8800);
    assert.equal(tree.get('t:16')!.attrs.color, 12);
    assert.equal(tree.get('t:8/d:0')!.attrs.on, false, 'parameter 0 is Device On');
    assert.equal(tree.get(firstParam)!.attrs.value, 42);
    assert.equal(tree.get(firstParam)!.attrs.display, '42 %');
    assert.deepEqual(tree.get('t:16/s:3/clip')!.attrs, { name: 'Verse', rgb: 0x00ff00 });
    assert.equal(totalDrops(mirror), 0);
    assert.equal(mirror.metrics.oscMessages, 15);
  });

  it('publishes transport, beat and cursor as latest-wins events', async (t) => {
    const { mirror } = await startMirror(t, { alsPath: fixturePath('foo') });
    const udp = await udpSender(t);
    const port = mirror.oscPort;
    await udp.send(port, '/live/song/get/is_playing', [bool(true)]);
    await udp.send(port, '/live/song/get/current_song_time', [float(16.5)]);
    await udp.send(port, '/live/song/get/beat', [int(16)]);
    await udp.send(port, '/live/cursor/clip_slot', [int(2), int(5)]);
    await waitFor(() => mirror.events.latest('cursor') !== undefined, 'the cursor event');
    assert.deepEqual(mirror.events.latest('transport'), { playing: true, songTime: 16.5 });
    assert.deepEqual(mirror.events.latest('beat'), { beat: 16 });
    assert.deepEqual(mirror.events.latest('cursor'), { track: 2, scene: 5, trackId: 't:8', slotId: 't:8/s:5' });
    await udp.send(port, '/live/view/get/selected_track', [int(0)]);
    await waitFor(() => (mirror.events.latest('cursor') as { track: number }).track === 0, 'the selected track');
    assert.deepEqual(mirror.events.latest('cursor'), { track: 0, scene: 5, trackId: 't:16', slotId: 't:16/s:5' });
  });
});

describe('§5 drops', () => {
  it('counts malformed input by code and leaves the tree as it was', async (t) => {
    const { mirror, url } = await startMirror(t, { alsPath: fixturePath('foo'), maxPacketBytes: 512 });
    const udp = await udpSender(t);
    const port = mirror.oscPort;
    const before = mirror.channel.tree.rootHash;
    const expected = {
      OSC_BAD_PACKET: 0,
      OSC_BAD_STRING: 0,
      OSC_BAD_BLOB: 0,
      OSC_TOO_LARGE: 0,
      OSC_UNKNOWN_ADDRESS: 0,
      OSC_BAD_ARGS: 0,
      OSC_OUT_OF_RANGE: 0,
      OSC_BAD_VALUE: 0,
      OSC_TOO_MANY_MESSAGES: 0,
      OSC_UNKNOWN_SENDER: 0,
    };
    const bad = async (code: keyof typeof expected, send: () => Promise<void>) => {
      expected[code]++;
      await send();
    };
    await bad('OSC_BAD_PACKET', () => udp.sendRaw(port, Buffer.from('not osc at all')));
    await bad('OSC_BAD_PACKET', () => udp.sendRaw(port, Buffer.from([0x2f, 0x61, 0, 0, 0x2c, 0x69, 0, 0]))); // "/a" ",i" and no int
    await bad('OSC_TOO_LARGE', () => udp.sendRaw(port, Buffer.alloc(513, 0x2f)));
    await bad('OSC_UNKNOWN_ADDRESS', () => udp.send(port, '/live/song/get/nope', [int(1)]));
    await bad('OSC_BAD_ARGS', () => udp.send(port, '/live/track/get/mute', [str('zero'), bool(true)]));
    await bad('OSC_BAD_ARGS', () => udp.send(port, '/live/track/get/mute', [int(0)]));
    await bad('OSC_BAD_ARGS', () => udp.send(port, '/live/track/get/name', [int(0), int(5)]));
    await bad('OSC_BAD_ARGS', () => udp.send(port, '/live/track/get/volume', [float(0.5), float(0.5)]));
    await bad('OSC_OUT_OF_RANGE', () => udp.send(port, '/live/track/get/mute', [int(4), bool(true)]));
    await bad('OSC_OUT_OF_RANGE', () => udp.send(port, '/live/track/get/mute', [int(-1), bool(true)]));
    await bad('OSC_OUT_OF_RANGE', () => udp.send(port, '/live/device/get/parameter/value', [int(0), int(1), int(0), float(1)]));
    await bad('OSC_OUT_OF_RANGE', () => udp.send(port, '/live/device/get/parameter/value', [int(0), int(0), int(99), float(1)]));
    await bad('OSC_OUT_OF_RANGE', () => udp.send(port, '/live/clip/get/name', [int(0), int(8), str('x')]));
    await bad('OSC_OUT_OF_RANGE', () => udp.send(port, '/live/cursor/clip_slot', [int(0), int(8)]));
    await bad('OSC_BAD_VALUE', () => udp.send(port, '/live/track/get/volume', [int(0), float(1.5)]));
    await bad('OSC_BAD_VALUE', () => udp.send(port, '/live/song/get/tempo', [float(5000)]));
    await bad('OSC_BAD_VALUE', () => udp.send(port, '/live/device/get/parameter/value', [int(0), int(0), int(1), float(1000)]));
    // NaN is not a number the mirror accepts anywhere: an argument of the wrong kind.
    await bad('OSC_BAD_ARGS', () => udp.send(port, '/live/song/get/tempo', [{ type: 'f', value: Number.NaN }]));
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    await waitFor(() => totalDrops(mirror) === total, `${total} drops`);
    assert.deepEqual(mirror.metrics.dropped, expected);
    assert.equal(mirror.channel.tree.rootHash, before);
    assert.equal(mirror.metrics.oscMessages, 0);

    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    assert.match(text, /tidewire_liveset_osc_dropped_total\{code="OSC_OUT_OF_RANGE"\} 6/);
    assert.match(text, /tidewire_liveset_osc_dropped_total\{code="OSC_BAD_ARGS"\} 5/);
  });

  it('§5 a malformed OSC string changed the mirror: unterminated, badly padded strings and blobs are dropped by code', async (t) => {
    // Regression (issue 12): osc.js read a string with no NUL up to the end of the packet and
    // ignored padding bytes, so these packets renamed scene 0 and counted as good messages.
    const { mirror } = await startMirror(t, { alsPath: fixturePath('foo') });
    const udp = await udpSender(t);
    const port = mirror.oscPort;
    const tree = mirror.channel.tree;
    const before = tree.rootHash;
    const nameBefore = tree.get('scene:0')!.attrs.name;
    /** A well-formed OSC string: the text, a NUL, NULs up to a multiple of 4. */
    const ostr = (text: string) => Buffer.concat([Buffer.from(text), Buffer.alloc(4 - (Buffer.byteLength(text) % 4))]);
    const int32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(n);
      return b;
    };
    const address = ostr('/live/scene/get/name'); // 20 characters + NUL + 3 NULs of padding
    const sceneName = (...tail: Buffer[]) => Buffer.concat([address, ostr(',is'), int32(0), ...tail]);
    const expected = { OSC_BAD_STRING: 0, OSC_BAD_BLOB: 0, OSC_BAD_PACKET: 0 };
    const bad = async (code: keyof typeof expected, bytes: Buffer) => {
      expected[code]++;
      await udp.sendRaw(port, bytes);
    };
    // The name "Evil" runs to the end of the packet: no NUL, no padding.
    await bad('OSC_BAD_STRING', sceneName(Buffer.from('Evil')));
    // "Ev" • NUL • 'X': a padding byte that is not NUL.
    await bad('OSC_BAD_STRING', sceneName(Buffer.from('Ev\0X')));
    // "Evil" • NUL and only 3 of the 4 bytes its padding needs.
    await bad('OSC_BAD_STRING', sceneName(Buffer.from('Evil\0\0\0')));
    // The address padded with "\0\0x" instead of three NULs.
    await bad('OSC_BAD_STRING', Buffer.concat([Buffer.from('/live/scene/get/name\0\0x'), ostr(',is'), int32(0), ostr('Evil')]));
    // The type tag string ",is" runs to the end of the packet.
    await bad('OSC_BAD_STRING', Buffer.concat([address, Buffer.from(',is')]));
    // ",isb": a blob of 100 bytes with 4 left, and a blob of 1 byte padded with 0xff.
    await bad('OSC_BAD_BLOB', Buffer.concat([address, ostr(',isb'), int32(0), ostr('Evil'), int32(100), Buffer.from('abcd')]));
    await bad('OSC_BAD_BLOB', Buffer.concat([address, ostr(',isb'), int32(0), ostr('Evil'), int32(1), Buffer.from([0x61, 0xff, 0, 0])]));
    await bad('OSC_BAD_BLOB', Buffer.concat([address, ostr(',isb'), int32(0), ostr('Evil'), int32(-4)]));
    // Four bytes after the last argument.
    await bad('OSC_BAD_PACKET', sceneName(ostr('Evil'), int32(7)));
    // A bundle whose element claims 8 bytes but whose message runs on past them: its address
    // has no NUL within the element.
    const message = sceneName(ostr('Evil'));
    await bad('OSC_BAD_STRING', Buffer.concat([Buffer.from('#bundle\0'), Buffer.alloc(8), int32(8), message]));
    // A bundle whose element claims more bytes than the bundle holds.
    await bad('OSC_BAD_PACKET', Buffer.concat([Buffer.from('#bundle\0'), Buffer.alloc(8), int32(message.length + 4), message]));

    // A sentinel that changes no node: loopback UDP from one socket arrives in order, so once
    // it is seen every packet above has been handled.
    await udp.send(port, '/live/song/get/beat', [int(99)]);
    await waitFor(() => (mirror.events.latest('beat') as { beat: number } | undefined)?.beat === 99, 'the sentinel');
    assert.equal(tree.get('scene:0')!.attrs.name, nameBefore);
    assert.equal(tree.rootHash, before);
    assert.deepEqual(Object.fromEntries(Object.entries(mirror.metrics.dropped).filter(([, n]) => n > 0)), expected);
    assert.equal(mirror.metrics.oscMessages, 1, 'only the sentinel');
    // The same message well framed applies (the drops above were the framing, not the content).
    await udp.sendRaw(port, sceneName(ostr('Fine')));
    await waitFor(() => tree.get('scene:0')?.attrs.name === 'Fine', 'the well-framed name');
  });

  it('flattens bundles and drops one holding more messages than the cap', async (t) => {
    const { mirror } = await startMirror(t, { alsPath: fixturePath('foo') });
    const udp = await udpSender(t);
    const { encodeOsc } = await import('../src/osc/codec.ts');
    const bundle = (n: number) => {
      const parts: Buffer[] = [Buffer.from('#bundle\0'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1])];
      for (let i = 0; i < n; i++) {
        const m = Buffer.from(encodeOsc('/live/scene/get/name', [int(i % 8), str(`S${i}`)]));
        const len = Buffer.alloc(4);
        len.writeInt32BE(m.length);
        parts.push(len, m);
      }
      return Buffer.concat(parts);
    };
    await udp.sendRaw(mirror.oscPort, bundle(3));
    await waitFor(() => mirror.channel.tree.get('scene:2')?.attrs.name === 'S2', 'the bundle to apply');
    assert.equal(mirror.channel.tree.get('scene:0')!.attrs.name, 'S0');
    await udp.sendRaw(mirror.oscPort, bundle(65));
    await waitFor(() => mirror.metrics.dropped.OSC_TOO_MANY_MESSAGES === 1, 'the oversized bundle to be dropped');
    assert.equal(mirror.channel.tree.get('scene:0')!.attrs.name, 'S0');
  });
});

describe('§2 following another node (docs/cluster.md §9)', () => {
  it('ignores Live and publishes nothing while following, and takes up again when it leads', async (t) => {
    const { mirror } = await startMirror(t, { alsPath: fixturePath('foo') });
    const tree = mirror.channel.tree;
    const mute = { address: '/live/track/get/mute', args: [int(1), bool(true)] };
    assert.equal(tree.get('t:17')!.attrs.mute, false);
    mirror.follow();
    assert.equal(mirror.receive(mute), null);
    assert.equal(tree.get('t:17')!.attrs.mute, false, 'a follower does not change the tree');
    assert.equal(mirror.metrics.oscIgnoredFollowing, 1);
    mirror.publish('error', null);
    assert.equal(mirror.events.latest('error'), undefined, 'nor publish events: the owner does');
    mirror.lead();
    assert.equal(mirror.receive(mute), null);
    assert.equal(tree.get('t:17')!.attrs.mute, true);
    assert.equal(mirror.metrics.oscIgnoredFollowing, 1);
  });
});
