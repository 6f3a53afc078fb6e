// `npm start`: installs, builds, and serves every Tidewire app on one port with embedded
// defaults. Extra arguments go to `tidewire serve` (e.g. `npm start -- --port 9000`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureNpmDependencies } from './ensure-deps.mjs';

const root = join(import.meta.dirname, '..');
ensureNpmDependencies();
// After the install: on a fresh clone the workspace link `tidewire` exists only now.
const { serverProcessEnv } = await import('tidewire/process-env');
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(process.execPath, ['apps/tidewire/bin/tidewire.js', 'serve', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: serverProcessEnv(),
});
process.exit(r.status ?? 0);
