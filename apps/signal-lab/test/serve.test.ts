// Sections (§) in test names: docs/signal-lab.md.
// Serving Signal Lab: mountSignalLab's contract with `tidewire serve` and the isolation headers
// on every response under /signal-lab/ (without them the page has no SharedArrayBuffer).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { mountSignalLab, serveSignalLab, SIGNAL_LAB_HEADERS, signalLabDist } from '../src/index.ts';

const servers: TidewireServer[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'signal-lab-serve-'));
after(async () => {
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function newServer(): Promise<TidewireServer> {
  const s = await createServer({ port: 0, logger: false, defaultMetrics: false });
  servers.push(s);
  return s;
}

describe('§7 mountSignalLab', () => {
  it('returns the path, a title and the static options with the isolation headers', async () => {
    const lab = mountSignalLab(await newServer());
    assert.equal(lab.path, '/signal-lab/');
    assert.equal(lab.title, 'Signal Lab');
    assert.deepEqual(lab.staticOptions.headers, {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    });
    await lab.close();
    assert.ok(signalLabDist().endsWith('/apps/signal-lab/dist/'));
  });

  it('refuses something that is not a server', () => {
    assert.throws(
      () => mountSignalLab(null as never),
      (e: { code?: string }) => e.code === 'LAB_BAD_OPTION',
    );
  });

  it('serves the page and its assets with COOP/COEP, index.html revalidated and assets immutable', async () => {
    const dist = join(tmp, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>lab</title>');
    writeFileSync(join(dist, 'assets', 'index-Bx3kQ9aZ.js'), 'export {}');
    const server = await newServer();
    await serveSignalLab(server, dist);
    const base = await server.listen();
    for (const [path, cache] of [
      ['/signal-lab/', 'no-cache'],
      ['/signal-lab/assets/index-Bx3kQ9aZ.js', 'public, max-age=31536000, immutable'],
    ] as const) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 200, path);
      for (const [k, v] of Object.entries(SIGNAL_LAB_HEADERS)) assert.equal(res.headers.get(k), v, `${path} ${k}`);
      assert.equal(res.headers.get('cache-control'), cache);
      await res.arrayBuffer();
    }
    const missing = await fetch(`${base}/signal-lab/nope.js`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  });

  it('refuses to serve a dist without index.html', async () => {
    await assert.rejects(serveSignalLab(await newServer(), join(tmp, 'empty')), (e: { code?: string }) => e.code === 'LAB_BAD_OPTION');
  });
});
