// `tidewire serve` — what `npm start` runs: its arguments, and every app mounted on one port
// (real server on loopback, real HTTP; the pages are the production builds `npm test` makes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '@tidewire/cli';
import { parseServeArgs, startAll } from '../src/serve.ts';

describe('tidewire serve: arguments', () => {
  it('defaults to loopback, port 8080 (or $PORT), the bundled set and OSC port 9002', () => {
    const saved = process.env.PORT;
    delete process.env.PORT;
    try {
      const o = parseServeArgs([]);
      assert.equal(o.host, '127.0.0.1');
      assert.equal(o.port, 8080);
      assert.equal(o.oscPort, 9002);
      assert.equal(o.storm, true);
      assert.match(o.als, /Michelle\.als$/);
    } finally {
      if (saved !== undefined) process.env.PORT = saved;
    }
  });

  it('refuses ports that are not 0–65535 written in decimal, naming the flag', () => {
    for (const bad of ['', '65536', '0x10', '1e3', 'eighty']) {
      assert.throws(() => parseServeArgs(['--port', bad]), (e: Error) => e instanceof UsageError && /--port/.test(e.message), `--port '${bad}'`);
    }
    // A value that looks like an option is refused by node:util's parseArgs itself.
    assert.throws(() => parseServeArgs(['--port', '-1']));
    assert.throws(() => parseServeArgs(['--osc-port', '70000']), (e: Error) => e instanceof UsageError && /--osc-port/.test(e.message));
    assert.equal(parseServeArgs(['--port', '0', '--osc-port', '0']).port, 0);
  });
});

describe('tidewire serve: every app on one port', { timeout: 120_000 }, () => {
  it('redirects / to the Live Set page and serves each app (Signal Lab cross-origin isolated)', async (t) => {
    const running = await startAll({ ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm']) });
    t.after(() => running.close());
    const root = await fetch(`${running.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/liveset/');
    for (const path of ['/liveset/', '/replay/', '/signal-lab/', '/demo/']) {
      const res = await fetch(`${running.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
      if (path === '/signal-lab/') {
        assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
        assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
      }
    }
    const tree = await fetch(`${running.url}/api/trees/liveset`, { headers: { accept: 'application/json' } });
    assert.equal(tree.status, 200);
  });
});
