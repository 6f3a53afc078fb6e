// One staleness rule for every app page a test or bench opens: scripts/build.mjs rebuilds an
// app's dist when its ui/, src/, faust/, Vite config or any workspace package it may bundle is
// newer (`npm test` runs it for all apps first; this covers running one test file alone).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/build.mjs', import.meta.url));

/** Builds apps/<app> if its page is missing or stale; throws when the build fails. */
export function ensureAppBuilt(app: string, options: { quiet?: boolean } = {}): void {
  const r = spawnSync(process.execPath, [BUILD_SCRIPT, app], { stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (r.status !== 0) throw new Error(`building apps/${app} failed (exit ${r.status})`);
}
