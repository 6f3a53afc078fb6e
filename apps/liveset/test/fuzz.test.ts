// docs/liveset-osc.md §5: damaged and random packets on the event port never stop it and never
// leave an invalid value in the tree. Seeded: TIDEWIRE_SEED=<n> reruns a failing case.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { seedHint, testSeed } from '@tidewire/random';
import { Tree } from '@tidewire/tree';
import { encodeOsc, float, int, str, bool } from '../src/osc/codec.ts';
import { assertTreeInvariants, fixturePath, prng } from './helpers.ts';
import { startMirror, udpSender, waitFor } from './mirror-helpers.ts';

const VALID = [
  encodeOsc('/live/song/get/tempo', [float(121)]),
  encodeOsc('/live/track/get/name', [int(1), str('Bass line')]),
  encodeOsc('/live/track/get/mute', [int(2), bool(true)]),
  encodeOsc('/live/track/get/volume', [int(3), float(0.7)]),
  encodeOsc('/live/device/get/parameter/value', [int(0), int(0), int(3), float(12)]),
  encodeOsc('/live/device/get/parameter/value_string', [int(0), int(0), int(3), str('12 %')]),
  encodeOsc('/live/clip/get/name', [int(1), int(2), str('Hook')]),
  encodeOsc('/live/scene/get/name', [int(4), str('Break')]),
  encodeOsc('/live/cursor/clip_slot', [int(1), int(1)]),
];

it('§5 fuzzed packets never crash the event port or corrupt the tree', async (t) => {
  const seed = testSeed(20_240_611);
  const rand = prng(seed);
  const { mirror } = await startMirror(t, { alsPath: fixturePath('foo') });
  const udp = await udpSender(t);
  const errors: string[] = [];
  for (let n = 0; n < 400; n++) {
    let bytes: Uint8Array;
    const kind = rand();
    if (kind < 0.2) {
      bytes = new Uint8Array(Math.floor(rand() * 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    } else {
      bytes = Uint8Array.from(VALID[Math.floor(rand() * VALID.length)]!);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      if (rand() < 0.3) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
    }
    await udp.sendRaw(mirror.oscPort, bytes).catch((e: Error) => errors.push(e.message));
  }
  await udp.send(mirror.oscPort, '/live/scene/get/name', [int(0), str(`sentinel ${seed}`)]);
  await waitFor(() => mirror.channel.tree.get('scene:0')?.attrs.name === `sentinel ${seed}`, `the sentinel (${seedHint(seed)})`);
  assert.deepEqual(errors, [], seedHint(seed));
  const snapshot = mirror.channel.tree.toSnapshot();
  assert.doesNotThrow(() => new Tree(snapshot), seedHint(seed));
  assertTreeInvariants(snapshot as Parameters<typeof assertTreeInvariants>[0]);
  assert.ok(Object.values(mirror.metrics.dropped).reduce((a, b) => a + b, 0) > 0, `${seedHint(seed)}: some packets were dropped`);
});
