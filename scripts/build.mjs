// Builds every app's browser bundle (Vite) when its sources are newer than its output.
// `node scripts/build.mjs [app…] [--force]`: only the named apps (tests and benches call this
// through @tidewire/testkit's ensureAppBuilt, so there is one staleness rule).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

const appsDir = join(root, 'apps');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const app of readdirSync(appsDir)) {
  if (only.length > 0 && !only.includes(app)) continue;
  const dir = join(appsDir, app);
  const config = join(dir, 'vite.config.ts');
  if (!existsSync(config)) continue;
  const out = join(dir, 'dist', 'index.html');
  // A page bundles its own ui/ and any workspace package it imports (client, ui, protocol, …).
  const packagesDir = join(root, 'packages');
  const packageSources = readdirSync(packagesDir)
    .map((p) => join(packagesDir, p, 'src'))
    .filter((d) => existsSync(d));
  // …and its own src/ (a worklet, Faust glue) and faust/ sources when it has them.
  const appSources = ['ui', 'src', 'faust'].map((d) => join(dir, d)).filter((d) => existsSync(d));
  const sources = Math.max(...appSources.map(newest), ...packageSources.map(newest), statSync(config).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs >= sources && !process.argv.includes('--force')) continue;
  console.log(`tidewire: building apps/${app} (vite)…`);
  // The config runs through Vite's module runner: a config that imports workspace TypeScript (the
  // Faust plugin reaches @tidewire/base through the lab's error registry) cannot be loaded natively.
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--configLoader', 'runner'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
