// docs/cli.md §6.5: the repository stands alone: its files (what `git ls-files` lists, plus new files not yet
// committed and not ignored) copied into an empty temporary folder — nothing beside it, so no
// data folder next to the repository — run `tidewire serve`, and every page, the data behind it
// and /metrics answer.
//
// The copy gets the installed node_modules without reinstalling: a real node_modules folder whose
// entries link to the installed ones, except @tidewire/*, which are relative links
// (../../packages/…) and so are copied as links and resolve inside the copy. Third-party packages
// resolve to the original install, which is outside the repository's own files by definition.
// The built pages are copied from apps/*/dist after ensureAppBuilt (building in the copy would
// take a minute). The bundled race is generated in the copy's empty .cache/ (~4 s), so the race
// data must be in the copy too.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ensureAppBuilt } from '@tidewire/testkit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const APPS = ['liveset', 'replay', 'signal-lab', 'demo', 'studio'] as const;
const TITLES: Record<(typeof APPS)[number], string> = {
  liveset: 'Tidewire · Live Set mirror',
  replay: 'Tidewire · Race replay',
  'signal-lab': 'Tidewire · Signal Lab',
  demo: 'Tidewire · core demo',
  studio: 'Tidewire · Media Studio',
};

const git = spawnSync('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8', maxBuffer: 64 << 20 });
const files = git.status === 0 ? git.stdout.split('\0').filter((f) => f !== '') : null;

/** Links `from` (a node_modules folder) into `to` entry by entry; @tidewire/* keep their relative links. */
function linkNodeModules(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (name === '@tidewire') {
      mkdirSync(join(to, name));
      for (const pkg of readdirSync(src)) {
        const link = join(src, pkg);
        assert.ok(lstatSync(link).isSymbolicLink(), `${link} is a workspace link`);
        const target = readlinkSync(link);
        assert.ok(target.startsWith('../../'), `${link} -> ${target} is relative, so it resolves inside the copy`);
        symlinkSync(target, join(to, name, pkg));
      }
    } else {
      symlinkSync(src, join(to, name));
    }
  }
}

interface Served {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Runs `tidewire serve` in `dir` on a free TCP port and a free UDP port; resolves once it reports its URL. */
function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, [join(dir, 'apps/tidewire/bin/tidewire.js'), 'serve', '--port', '0', '--osc-port', '0', '--no-storm'], {
    cwd: dir,
    env: { ...process.env, PORT: '', TIDEWIRE_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tidewire serve did not start in 90 s:\n${out}`));
    }, 90_000);
    const check = () => {
      // The report is printed whole once the server listens; /metrics is its last line.
      const url = /Tidewire is serving on (http:\/\/[^/\s]+)\//.exec(out)?.[1];
      if (url === undefined || !out.includes('/metrics')) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({
        url,
        output: () => out,
        async stop() {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tidewire serve exited (${code}) before serving:\n${out}`));
    });
  });
}

describe('§6.5 the repository stands alone', { skip: files === null ? 'not a git checkout' : false, timeout: 300_000 }, () => {
  let base: string;
  let copy: string;
  let served: Served;

  before(async () => {
    for (const app of APPS) ensureAppBuilt(app, { quiet: true });
    // <tmp>/tidewire-standalone-*/repo: nothing is beside the copy, so a path out of the repository finds nothing.
    base = mkdtempSync(join(tmpdir(), 'tidewire-standalone-'));
    copy = join(base, 'repo');
    for (const f of files!) {
      const src = join(ROOT, f);
      if (!existsSync(src)) continue; // deleted in the working tree, not yet committed
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      cpSync(src, join(copy, f), { verbatimSymlinks: true });
    }
    // Every installed node_modules: the root one and any a workspace has of its own.
    for (const d of ['.', ...['apps', 'packages'].flatMap((g) => readdirSync(join(ROOT, g)).map((w) => `${g}/${w}`)), 'bench']) {
      if (existsSync(join(ROOT, d, 'node_modules'))) linkNodeModules(join(ROOT, d, 'node_modules'), join(copy, d, 'node_modules'));
    }
    for (const app of APPS) cpSync(join(ROOT, 'apps', app, 'dist'), join(copy, 'apps', app, 'dist'), { recursive: true });
    assert.deepEqual(readdirSync(base), ['repo']);
    served = await serve(copy);
  });

  after(async () => {
    if (served) assert.equal(await served.stop(), 0, served.output());
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('resolves the workspace packages inside the copy', () => {
    for (const [pkg, dir] of [
      ['liveset', 'apps/liveset'],
      ['server', 'packages/server'],
      ['cli', 'packages/cli'],
    ]) {
      const r = spawnSync(process.execPath, ['-p', `require('node:fs').realpathSync(require('node:path').join('node_modules/@tidewire', '${pkg}'))`], {
        cwd: copy,
        encoding: 'utf8',
      });
      assert.equal(r.stdout.trim(), join(copy, dir), pkg);
    }
  });

  it('starts every app (none reported as failed)', () => {
    assert.doesNotMatch(served.output(), /FAILED/, served.output());
    for (const app of APPS) assert.match(served.output(), new RegExp(`up {6}/${app}/`), served.output());
  });

  it('serves every page: its title and its script', async () => {
    for (const app of APPS) {
      const res = await fetch(`${served.url}/${app}/`);
      assert.equal(res.status, 200, app);
      const html = await res.text();
      assert.ok(html.includes(`<title>${TITLES[app]}</title>`), `${app}: title`);
      const script = /<script type="module"[^>]* src="([^"]+)"/.exec(html)?.[1];
      assert.ok(script?.startsWith(`/${app}/assets/`), `${app}: script ${script}`);
      const js = await fetch(`${served.url}${script}`);
      assert.equal(js.status, 200, `${app}: ${script}`);
      assert.ok((await js.arrayBuffer()).byteLength > 1000, `${app}: ${script} has content`);
    }
  });

  it('serves the data the pages show: the bundled Live Set and the generated race', async () => {
    const tree = await (await fetch(`${served.url}/api/trees/liveset`, { headers: { accept: 'application/json' } })).text();
    assert.match(tree, /"Kick"/, 'Michelle.als has a track named Kick');
    const race = (await (await fetch(`${served.url}/api/timelines/race`)).json()) as { entities: unknown[]; static: { race: { laps: number } } };
    assert.equal(race.entities.length, 20);
    assert.equal(race.static.race.laps, 57);
  });

  it('serves /metrics in the Prometheus format', async () => {
    const res = await fetch(`${served.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const name of ['tidewire_connections', 'tidewire_protocol_errors_total']) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  });
});
