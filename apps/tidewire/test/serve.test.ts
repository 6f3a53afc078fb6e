// docs/cli.md §6: `tidewire serve` — what `npm start` runs: its arguments, every app mounted on one port, and
// staying up when one app cannot start (real server on loopback, real HTTP, real sockets holding
// the ports; the pages are the production builds `npm test` makes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { ensureAppBuilt } from '@tidewire/testkit';
import { UsageError } from '@tidewire/cli';
import { createServeCommand, parseServeArgs, startAll } from '../src/serve.ts';
import { ServeError } from '../src/errors.ts';
import { sink } from './helpers.ts';

const APPS = ['liveset', 'replay', 'signal-lab', 'demo', 'studio'];

/** Media Studio's data dir for one test (its queue journal and state are per process). */
function studioDir(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidewire-serve-studio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** GET `path` with this Host header (fetch() will not send one of our choosing). */
function hostRequest(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { Host: host, Accept: 'application/json' }, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A UDP port held by another socket for the test's lifetime. */
async function takenUdpPort(t: { after(fn: () => unknown): void }): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket.address().port;
}

/** A UDP port that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A TCP port another listener holds for the test's lifetime. */
async function takenTcpPort(t: { after(fn: () => unknown): void }): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

describe('§6.1 tidewire serve: arguments', () => {
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
      assert.throws(
        () => parseServeArgs(['--port', bad]),
        (e: Error) => e instanceof UsageError && /--port/.test(e.message),
        `--port '${bad}'`,
      );
    }
    // A value that looks like an option is refused by node:util's parseArgs itself.
    assert.throws(() => parseServeArgs(['--port', '-1']));
    assert.throws(
      () => parseServeArgs(['--osc-port', '70000']),
      (e: Error) => e instanceof UsageError && /--osc-port/.test(e.message),
    );
    assert.equal(parseServeArgs(['--port', '0', '--osc-port', '0']).port, 0);
  });

  it('passes --allowed-hosts as a list of names and refuses anything but NAME or NAME:PORT', () => {
    assert.equal(parseServeArgs([]).allowedHosts, undefined);
    assert.deepEqual(parseServeArgs(['--allowed-hosts', 'studio.lan, box.example:8443']).allowedHosts, ['studio.lan', 'box.example:8443']);
    for (const bad of ['http://x.example', 'a.example,', 'x.example/path']) {
      assert.throws(
        () => parseServeArgs(['--allowed-hosts', bad]),
        (e: Error) => e instanceof UsageError && /--allowed-hosts/.test(e.message),
        bad,
      );
    }
  });

  it('passes --redis URL to Media Studio and refuses anything but a redis:// URL', () => {
    assert.equal(parseServeArgs([]).redis, undefined);
    assert.equal(parseServeArgs(['--redis', 'redis://127.0.0.1:6390/2']).redis, 'redis://127.0.0.1:6390/2');
    assert.throws(
      () => parseServeArgs(['--redis', 'http://x']),
      (e: Error) => e instanceof UsageError && /--redis/.test(e.message),
    );
  });
});

describe('§6.2 tidewire serve: every app on one port', { timeout: 300_000 }, () => {
  before(() => {
    for (const app of APPS) ensureAppBuilt(app, { quiet: true });
  });

  it('redirects / to the Live Set page and serves each app (Signal Lab cross-origin isolated)', async (t) => {
    const running = await startAll({ ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm']), studioDataDir: studioDir(t) });
    t.after(() => running.close());
    const root = await fetch(`${running.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/liveset/');
    for (const path of ['/liveset/', '/replay/', '/signal-lab/', '/demo/', '/studio/']) {
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

describe('§6.2 tidewire serve: the Host check (docs/server.md §1.1)', { timeout: 300_000 }, () => {
  // A DNS-rebinding page (its name re-pointed at 127.0.0.1) got every page, tree, timeline and
  // the metrics with 200 from a tokenless `tidewire serve`.
  it('§6.2 (server.md §1.1) a foreign Host gets 403 TW_HOST_NOT_ALLOWED on pages, API, timelines, metrics and /ws; loopback names and --allowed-hosts get in', async (t) => {
    const running = await startAll({
      ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm', '--allowed-hosts', 'studio.lan']),
      studioDataDir: studioDir(t),
    });
    t.after(() => running.close());
    const paths = ['/demo/', '/api/trees/demo', '/api/timelines/race', '/metrics', '/studio/', '/ws'];
    for (const path of paths) {
      const r = await hostRequest(running.url, path, 'evil.example:8181');
      assert.equal(r.status, 403, path);
      assert.equal((JSON.parse(r.body) as { code?: string }).code, 'TW_HOST_NOT_ALLOWED', path);
    }
    const port = new URL(running.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'studio.lan:8080']) {
      for (const path of ['/api/trees/demo', '/api/timelines/race', '/metrics', '/healthz'])
        assert.equal((await hostRequest(running.url, path, host)).status, 200, `${host} ${path}`);
    }
  });
});

describe('§6.3 tidewire serve: one app failing leaves the others serving', { timeout: 300_000 }, () => {
  before(() => {
    for (const app of APPS) ensureAppBuilt(app, { quiet: true });
  });

  it('reports the Live Set mirror as failed when its OSC port is taken (naming --osc-port) and serves the rest', async (t) => {
    const osc = await takenUdpPort(t);
    const running = await startAll({ ...parseServeArgs(['--port', '0', '--osc-port', String(osc), '--no-storm']), studioDataDir: studioDir(t) });
    t.after(() => running.close());
    const live = running.apps.find((a) => a.name === 'liveset')!;
    assert.equal(live.state, 'failed');
    assert.equal(live.state === 'failed' && live.code, 'LIVESET_BIND_FAILED');
    assert.match(live.state === 'failed' ? live.message : '', new RegExp(`UDP port ${osc} is in use; pass --osc-port`));
    assert.deepEqual(
      running.apps.filter((a) => a.state === 'up').map((a) => a.name),
      ['replay', 'signal-lab', 'demo', 'studio'],
    );
    const page = await fetch(`${running.url}/liveset/`);
    assert.equal(page.status, 503);
    assert.match(await page.text(), /LIVESET_BIND_FAILED/);
    const root = await fetch(`${running.url}/`, { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/replay/', 'the root goes to the first app that is up');
    for (const path of ['/replay/', '/signal-lab/', '/demo/', '/metrics']) assert.equal((await fetch(`${running.url}${path}`)).status, 200, path);
  });

  it('reports the replay as failed with REPLAY_DATA_MISSING when its data is missing, and serves the rest', async (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'tidewire-serve-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const running = await startAll({
      ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm']),
      replay: { dataRoot: join(tmp, 'nowhere'), cacheDir: join(tmp, 'cache') },
      studioDataDir: join(tmp, 'studio'),
    });
    t.after(() => running.close());
    const replay = running.apps.find((a) => a.name === 'replay')!;
    assert.equal(replay.state === 'failed' && replay.code, 'REPLAY_DATA_MISSING');
    assert.equal((await fetch(`${running.url}/replay/`)).status, 503);
    for (const path of ['/liveset/', '/signal-lab/', '/demo/']) assert.equal((await fetch(`${running.url}${path}`)).status, 200, path);
  });

  it('§6.4 prints which apps are up and which failed, with the code', async (t) => {
    const osc = await takenUdpPort(t);
    const out = sink();
    const err = sink();
    const stop = new AbortController();
    const done = createServeCommand(out, err, { signal: stop.signal, studioDataDir: studioDir(t) }).run([
      '--port',
      '0',
      '--osc-port',
      String(osc),
      '--no-storm',
    ]);
    for (let i = 0; i < 600 && !out.text.includes('/metrics'); i++) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    assert.equal(await done, 0, err.text);
    assert.match(out.text, /^Tidewire is serving on http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(out.text, /FAILED {2}\/liveset\/ +LIVESET_BIND_FAILED: .*--osc-port/);
    for (const path of ['/replay/', '/signal-lab/', '/demo/', '/studio/']) assert.match(out.text, new RegExp(`up {6}${path.replaceAll('/', '\\/')}`), path);
  });

  it('refuses a taken --port with TIDEWIRE_PORT_IN_USE, naming the flag (exit 1 from the command)', async (t) => {
    const taken = await takenTcpPort(t);
    const osc = await freeUdpPort();
    await assert.rejects(
      startAll({ ...parseServeArgs(['--port', String(taken), '--osc-port', String(osc), '--no-storm']), studioDataDir: studioDir(t) }),
      (e: Error) => e instanceof ServeError && e.code === 'TIDEWIRE_PORT_IN_USE' && /--port/.test(e.message),
    );
    // The apps that had started were closed: the mirror's OSC port is free again.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(osc, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const out = sink();
    const err = sink();
    assert.equal(await createServeCommand(out, err, { studioDataDir: studioDir(t) }).run(['--port', String(taken), '--osc-port', '0', '--no-storm']), 1);
    // `m`: the server's log lines (§6.7) share stderr.
    assert.match(err.text, new RegExp(`^tidewire serve: TIDEWIRE_PORT_IN_USE: TCP port ${taken} on 127\\.0\\.0\\.1 is in use; pass --port N`, 'm'));
  });
});

describe('§6.7 tidewire serve: the server log', { timeout: 300_000 }, () => {
  it('--log-level: default $TIDEWIRE_LOG_LEVEL, else info (silent under TIDEWIRE_TEST=1); a level that is not one is a usage error; --help shows it', async () => {
    const saved = { level: process.env.TIDEWIRE_LOG_LEVEL, test: process.env.TIDEWIRE_TEST };
    try {
      delete process.env.TIDEWIRE_LOG_LEVEL;
      delete process.env.TIDEWIRE_TEST;
      assert.equal(parseServeArgs([]).logLevel, 'info');
      process.env.TIDEWIRE_TEST = '1';
      assert.equal(parseServeArgs([]).logLevel, 'silent');
      process.env.TIDEWIRE_LOG_LEVEL = 'debug';
      assert.equal(parseServeArgs([]).logLevel, 'debug');
      assert.equal(parseServeArgs(['--log-level', 'warn']).logLevel, 'warn');
      assert.throws(
        () => parseServeArgs(['--log-level', 'loud']),
        (e: Error) => e instanceof UsageError && /--log-level/.test(e.message),
      );
    } finally {
      for (const [k, v] of [
        ['TIDEWIRE_LOG_LEVEL', saved.level],
        ['TIDEWIRE_TEST', saved.test],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const out = sink();
    assert.equal(await createServeCommand(out, sink()).run(['--help']), 0);
    assert.match(out.text, /--log-level LEVEL +server log level: fatal, error, warn, info, debug, trace, silent/);
  });

  it('logs JSON lines to the given stream: an app that did not start at warn with its code, no error line; the internal-error counter is in /metrics', async (t) => {
    for (const app of APPS) ensureAppBuilt(app, { quiet: true });
    const tmp = mkdtempSync(join(tmpdir(), 'tidewire-serve-log-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const lines: Record<string, unknown>[] = [];
    const running = await startAll({
      ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm', '--log-level', 'info']),
      replay: { dataRoot: join(tmp, 'nowhere'), cacheDir: join(tmp, 'cache') },
      studioDataDir: join(tmp, 'studio'),
      log: { stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } },
    });
    t.after(() => running.close());
    const failed = lines.filter((l) => l.app === 'replay' && l.code === 'REPLAY_DATA_MISSING');
    assert.equal(failed.length, 1, JSON.stringify(lines));
    assert.equal(failed[0]!.level, 40);
    assert.deepEqual(
      lines.filter((l) => (l.level as number) >= 50),
      [],
    );
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    assert.match(metrics, /# TYPE tidewire_internal_errors_total counter/);
  });

  it('an unhandled promise rejection while serving is one error line (component process, its code) and +1 in /metrics; the process goes on', async () => {
    const child = fileURLToPath(new URL('./unhandled-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], { timeout: 60_000, env: { ...process.env, TIDEWIRE_TEST: '' } });
    const { lines, metrics } = JSON.parse(stdout) as { lines: Record<string, unknown>[]; metrics: string[] };
    const errors = lines.filter((l) => (l.level as number) >= 50);
    assert.equal(errors.length, 1, JSON.stringify(lines));
    assert.equal(errors[0]!.component, 'process');
    assert.equal(errors[0]!.code, 'APP_BACKGROUND');
    assert.equal(errors[0]!.source, 'unhandledRejection');
    assert.deepEqual(metrics, ['tidewire_internal_errors_total{code="APP_BACKGROUND",component="process"} 1']);
  });
});
