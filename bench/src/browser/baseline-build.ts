// Builds the baseline pages (bench/browser-baseline, Vite) when their output is missing or older
// than any source they bundle: their own files, the apps' ui/ they import, and the workspace
// packages (the same staleness rule as scripts/build.mjs for the apps).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASELINE_DIR = join(ROOT, 'bench', 'browser-baseline');
export const BASELINE_DIST = join(BASELINE_DIR, 'dist');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

export function ensureBaselineBuilt(log: (m: string) => void): void {
  const out = join(BASELINE_DIST, 'liveset', 'index.html');
  const packages = readdirSync(join(ROOT, 'packages'))
    .map((p) => join(ROOT, 'packages', p, 'src'))
    .filter((d) => existsSync(d));
  const sources = [BASELINE_DIR, join(ROOT, 'apps', 'liveset', 'ui'), join(ROOT, 'apps', 'demo', 'ui'), ...packages];
  if (existsSync(out) && statSync(out).mtimeMs >= Math.max(...sources.map(newest))) return;
  log('building the baseline pages (bench/browser-baseline, vite)');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--config', join(BASELINE_DIR, 'vite.config.ts')], {
    cwd: BASELINE_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`building bench/browser-baseline failed (exit ${r.status})`);
}
