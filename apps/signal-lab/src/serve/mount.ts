// mountSignalLab: Signal Lab on an existing Tidewire server (what `tidewire serve` calls). The
// lab is all browser: no channel, no route; the server's one job is to serve the page
// cross-origin isolated (COOP same-origin + COEP require-corp), without which there is no
// SharedArrayBuffer and the DSP falls back to MessagePort transport. The caller serves
// apps/signal-lab/dist under `path` with `staticOptions`, as for every app:
//   await server.serveStatic(lab.path, signalLabDist(), lab.staticOptions)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StaticOptions, TidewireServer } from '@tidewire/server';
import { LabError } from '../app/errors.ts';

export const SIGNAL_LAB_PATH = '/signal-lab/';

/**
 * Headers for every response under /signal-lab/. COOP + COEP make the page crossOriginIsolated
 * (SharedArrayBuffer, precise performance.measureUserAgentSpecificMemory); CORP lets another
 * isolated page of this origin embed the assets. The page loads nothing cross-origin.
 */
export const SIGNAL_LAB_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
});

/** apps/signal-lab/dist: where `vite build` puts the page. */
export function signalLabDist(): string {
  return fileURLToPath(new URL('../../dist/', import.meta.url));
}

export function signalLabDistExists(): boolean {
  return existsSync(`${signalLabDist()}index.html`);
}

export interface MountedSignalLab {
  path: '/signal-lab/';
  title: string;
  /** Pass to serveStatic for the page: the isolation headers. */
  staticOptions: StaticOptions;
  close(): Promise<void>;
}

export function mountSignalLab(server: TidewireServer): MountedSignalLab {
  if (server === null || typeof server !== 'object' || typeof server.serveStatic !== 'function') {
    throw new LabError('LAB_BAD_OPTION', 'mountSignalLab needs a Tidewire server');
  }
  return {
    path: SIGNAL_LAB_PATH,
    title: 'Signal Lab',
    staticOptions: { headers: { ...SIGNAL_LAB_HEADERS } },
    // Nothing server-side to free: the lab runs in the browser.
    async close() {},
  };
}

/** mountSignalLab plus the page (for `tidewire signal-lab`-style one-app servers, tests, the bench). */
export async function serveSignalLab(server: TidewireServer, dist = signalLabDist()): Promise<MountedSignalLab> {
  const lab = mountSignalLab(server);
  if (!existsSync(`${dist}/index.html`)) throw new LabError('LAB_BAD_OPTION', `${dist} has no index.html: run \`npm run build\``);
  await server.serveStatic(lab.path, dist, lab.staticOptions);
  return lab;
}
