// Installs what a fresh clone needs before `npm start`, `npm test` or `npm run bench`.
// Uses only Node built-ins: it runs before node_modules exists.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Every package.json of the workspace: a newer one means dependencies may have changed. */
function manifests() {
  const out = [join(root, 'package.json'), join(root, 'package-lock.json')];
  for (const dir of ['packages', 'apps']) {
    const base = join(root, dir);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) out.push(join(base, name, 'package.json'));
  }
  out.push(join(root, 'bench', 'package.json'));
  return out.filter(existsSync);
}

// Installers report on stderr: stdout belongs to the command that called us (`npm run bench --
// <suite> --json` prints exactly one JSON object there, and an install before it broke that).
const INSTALL_STDIO = ['inherit', 2, 'inherit'];

export function ensureNpmDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const installedAt = mtime(marker);
  if (installedAt && manifests().every((f) => mtime(f) <= installedAt)) return;
  const useCi = existsSync(join(root, 'package-lock.json')) && process.env.CI;
  console.error(`tidewire: installing npm dependencies (npm ${useCi ? 'ci' : 'install'})…`);
  execFileSync('npm', [useCi ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: root, stdio: INSTALL_STDIO });
}

/** Debian packages the tests drive for real. Installed only when running as root (CI, dev boxes). */
const systemTools = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/oscsend', pkg: 'liblo-tools' },
  // Media Studio: renders (ffmpeg, ffprobe), narration (espeak-ng), the BullMQ queue's tests (redis-server)
  { bin: '/usr/bin/ffmpeg', pkg: 'ffmpeg' },
  { bin: '/usr/bin/espeak-ng', pkg: 'espeak-ng' },
  { bin: '/usr/bin/redis-server', pkg: 'redis-server' },
];

export function ensureSystemTools() {
  const missing = systemTools.filter((t) => !existsSync(t.bin)).map((t) => t.pkg);
  if (missing.length === 0) return;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.warn(`tidewire: missing ${missing.join(', ')} (not root, not installing); tests that need them will fail`);
    return;
  }
  console.error(`tidewire: installing ${missing.join(', ')} from Debian…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: INSTALL_STDIO, env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: INSTALL_STDIO, env });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureNpmDependencies();
