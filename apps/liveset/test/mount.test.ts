// mountLiveSet, the simulator and `tidewire liveset`: the mirrored set at GET
// /api/trees/liveset, option checks, a demo that moves without Live, and a clean shutdown.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { TidewireClient } from '@tidewire/client';
import { createServer } from '@tidewire/server';
import { createLivesetCommand, parseHostPort } from '../src/cli-liveset.ts';
import { mountLiveSet } from '../src/mount.ts';
import { fixturePath, negativePath } from './helpers.ts';
import { waitFor } from './mirror-helpers.ts';

async function server(t: import('node:test').TestContext) {
  const s = await createServer({ port: 0, tickMs: 5, defaultMetrics: false });
  t.after(() => s.close());
  return s;
}

describe('§1 mountLiveSet', () => {
  it('serves the mirrored set at /api/trees/liveset', async (t) => {
    const s = await server(t);
    const mounted = await mountLiveSet(s, { alsPath: fixturePath('foo'), oscPort: 0, log: () => {} });
    t.after(() => mounted.close());
    assert.equal(mounted.path, '/liveset/');
    assert.match(mounted.title, /live11\.3\.35_node-als-parser_Foo/);
    const url = await s.listen();
    const res = await fetch(`${url}/api/trees/liveset`, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    const tree = (await res.json()) as { id: string; children: { id: string; children: { id: string }[] }[] };
    assert.equal(tree.id, 'project');
    assert.deepEqual(tree.children[0]!.children.map((c) => c.id).slice(0, 4), ['t:16', 't:17', 't:8', 't:14']);
  });

  it('checks its options', async (t) => {
    const s = await server(t);
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      );
    assert.equal(await code(mountLiveSet(s, {})), 'LIVESET_BAD_OPTION');
    assert.equal(
      await code(mountLiveSet(s, { alsPath: fixturePath('foo'), simulate: true, abletonOsc: { host: '127.0.0.1', port: 11000 } })),
      'LIVESET_BAD_OPTION',
    );
    assert.equal(await code(mountLiveSet(s, { alsPath: fixturePath('foo'), oscPort: 70_000 })), 'LIVESET_BAD_OPTION');
    assert.equal(await code(mountLiveSet(s, { alsPath: negativePath('dawtool_junk.als'), oscPort: 0 })), 'ALS_NOT_GZIP');
  });

  it('reports a taken OSC port and leaves the server as it was', async (t) => {
    const busy = createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    t.after(() => new Promise<void>((r) => busy.close(() => r())));
    const s = await server(t);
    await assert.rejects(mountLiveSet(s, { alsPath: fixturePath('foo'), oscPort: busy.address().port }), { code: 'LIVESET_BIND_FAILED' });
    assert.equal(s.channel('liveset'), undefined, 'a failed start leaves no channel behind');
    const mounted = await mountLiveSet(s, { alsPath: fixturePath('foo'), oscPort: 0, log: () => {} });
    t.after(() => mounted.close());
    assert.ok(s.channel('liveset'));
  });

  it('with simulate, the mirror moves without Live and control gets answered', async (t) => {
    const s = await server(t);
    const mounted = await mountLiveSet(s, { alsPath: fixturePath('foo'), oscPort: 0, simulate: true, log: () => {} });
    t.after(() => mounted.close());
    const url = await s.listen();
    const client = new TidewireClient({ url, WebSocket, reconnect: false });
    t.after(() => client.close());
    const events = new Map<string, unknown>();
    client.events('liveset-events', (k, v) => events.set(k, v));
    const sub = await client.tree('liveset').ready();
    let batches = 0;
    sub.on('ops', () => batches++);
    await waitFor(() => events.has('transport') && events.has('beat') && events.has('cursor') && batches >= 3, 'the simulated stream');
    assert.deepEqual(events.get('live'), { mode: 'simulator', oscPort: mounted.mirror.oscPort });
    assert.equal(mounted.mirror.metrics.dropped.OSC_OUT_OF_RANGE + mounted.mirror.metrics.dropped.OSC_BAD_VALUE, 0, 'the stream fits the set');
    // The simulator never arms tracks by itself: arm only changes through control.
    assert.equal(sub.tree!.get('t:16')!.attrs.arm, false);
    client.send('liveset-control', 'track.arm', { track: 0, value: true });
    await waitFor(() => sub.tree!.get('t:16')!.attrs.arm === true, 'the simulated Live to confirm the arm');
  });
});

describe('§1 tidewire liveset', () => {
  async function run(args: string[], signal?: AbortSignal) {
    let out = '';
    let err = '';
    const cmd = createLivesetCommand({ write: (s) => void (out += s) }, { write: (s) => void (err += s) }, { signal, env: {} });
    const code = cmd.run(args);
    return { code, out: () => out, err: () => err };
  }

  it('serves until stopped, then closes cleanly', async () => {
    const ac = new AbortController();
    const r = await run(['--als', fixturePath('foo'), '--port', '0', '--osc-port', '0', '--simulate'], ac.signal);
    await waitFor(() => r.out().includes('page:'), 'the server to start');
    const page = /page:\s+(\S+)/.exec(r.out())![1]!;
    assert.match(page, /^http:\/\/127\.0\.0\.1:\d+\/liveset\/$/);
    const res = await fetch(new URL('/api/trees/liveset', page), { headers: { accept: 'application/json' } });
    assert.equal(((await res.json()) as { id: string }).id, 'project');
    ac.abort();
    assert.equal(await r.code, 0);
    assert.match(r.out(), /stopped/);
  });

  it('exits 2 on usage errors and 1 on a bad set', async () => {
    for (const args of [
      [],
      ['--als'],
      ['--als', 'x.als', '--abletonosc', 'nope'],
      ['--als', 'x.als', '--port', '99999'],
      ['--als', 'x.als', '--bogus'],
      ['--abletonosc', '127.0.0.1:11000', '--simulate'],
    ]) {
      const r = await run(args);
      assert.equal(await r.code, 2, args.join(' '));
      assert.match(r.err(), /usage: tidewire liveset/);
    }
    const bad = await run(['--als', negativePath('dawtool_junk.als'), '--port', '0', '--osc-port', '0']);
    assert.equal(await bad.code, 1);
    assert.match(bad.err(), /^tidewire liveset: ALS_NOT_GZIP: /);
  });

  it('parses HOST:PORT, IPv6 included', () => {
    assert.deepEqual(parseHostPort('--x', '127.0.0.1:11000'), { host: '127.0.0.1', port: 11000 });
    assert.deepEqual(parseHostPort('--x', '[::1]:9000'), { host: '::1', port: 9000 });
    assert.throws(() => parseHostPort('--x', '::1:9000'));
    assert.throws(() => parseHostPort('--x', 'host:0'));
  });
});
