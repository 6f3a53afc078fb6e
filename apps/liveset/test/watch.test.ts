// The .als is re-read on every save, with real files in a temp dir: Live's save (write a temp
// file, rename it over the set), a damaged save (the last good tree stays; an `error` event
// says why), the next good save (the error clears). Only the diff reaches clients.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { TidewireClient } from '@tidewire/client';
import type { Op } from '@tidewire/tree';
import { fixturePath, fixtureXml, gzipText } from './helpers.ts';
import { startMirror, waitFor } from './mirror-helpers.ts';

function tempSet(t: import('node:test').TestContext): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tidewire-liveset-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Song.als');
  copyFileSync(fixturePath('foo'), file);
  return { dir, file };
}

/** What Live does on save: write everything to a temp file, then rename it over the set. */
function atomicSave(dir: string, file: string, bytes: Uint8Array): void {
  const tmp = join(dir, `.Song.als.${process.pid}.tmp`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

const renamed = (name: string) => gzipText(fixtureXml('foo').replace('<EffectiveName Value="3-Audio" />', `<EffectiveName Value="${name}" />`));

describe('§7 .als watch', () => {
  it('re-reads a set saved by rename and publishes only the diff', async (t) => {
    const { dir, file } = tempSet(t);
    const { mirror, url } = await startMirror(t, { alsPath: file, watchDebounceMs: 30 });
    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    const sub = client.tree('liveset');
    await sub.ready();
    const ops: Op[] = [];
    sub.on('ops', (e) => ops.push(...e.ops));

    atomicSave(dir, file, renamed('Drums'));
    await waitFor(() => sub.tree?.get('t:8')?.attrs.name === 'Drums', 'the renamed track to reach the client');
    assert.deepEqual(ops, [[0, 't:8', { name: 'Drums' }]]);
    assert.equal(sub.rootHash, mirror.channel.tree.rootHash);
    assert.equal(mirror.metrics.alsLoads.ok, 2);
  });

  it('keeps the last good tree on a bad save, reports it, and clears the report on the next good one', async (t) => {
    const { dir, file } = tempSet(t);
    const { mirror } = await startMirror(t, { alsPath: file, watchDebounceMs: 30 });
    const good = mirror.channel.tree.rootHash;

    atomicSave(dir, file, Buffer.from('this is not a Live Set'));
    await waitFor(() => mirror.events.latest('error') !== undefined, 'the error event');
    assert.deepEqual(mirror.events.latest('error'), {
      code: 'ALS_NOT_GZIP',
      message: (mirror.events.latest('error') as { message: string }).message,
      file: 'Song.als',
    });
    assert.equal(mirror.channel.tree.rootHash, good);

    const whole = renamed('Bass');
    atomicSave(dir, file, whole.subarray(0, whole.length >> 1));
    await waitFor(() => (mirror.events.latest('error') as { code: string }).code === 'ALS_TRUNCATED', 'the truncated save to be reported');
    assert.equal(mirror.channel.tree.rootHash, good);
    assert.equal(mirror.metrics.alsLoads.error, 2);

    atomicSave(dir, file, whole);
    await waitFor(() => mirror.events.latest('error') === null, 'the error to clear');
    assert.equal(mirror.channel.tree.get('t:8')!.attrs.name, 'Bass');
  });

  it('also picks up a save written in place', async (t) => {
    const { file } = tempSet(t);
    const { mirror } = await startMirror(t, { alsPath: file, watchDebounceMs: 30 });
    writeFileSync(file, renamed('Keys'));
    await waitFor(() => mirror.channel.tree.get('t:8')?.attrs.name === 'Keys', 'the in-place save');
  });

  it('Live-reported properties survive a reload of the file', async (t) => {
    const { dir, file } = tempSet(t);
    const { mirror } = await startMirror(t, { alsPath: file, watchDebounceMs: 30 });
    const { int, bool } = await import('../src/osc/codec.ts');
    mirror.receive({ address: '/live/track/get/mute', args: [int(2), bool(true)] });
    assert.equal(mirror.channel.tree.get('t:8')!.attrs.mute, true);
    atomicSave(dir, file, renamed('Vox'));
    await waitFor(() => mirror.channel.tree.get('t:8')?.attrs.name === 'Vox', 'the reload');
    assert.equal(mirror.channel.tree.get('t:8')!.attrs.mute, true, 'the file says unmuted, Live said muted: Live wins');
  });
});
