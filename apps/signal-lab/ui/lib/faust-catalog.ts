// The Faust effects compiled at build time (the Vite plugin's virtual module: ids, wasm URLs
// and metadata, ~8 KB), put into the catalog and the chain, bypassed. A lazily loaded chunk.
import { faustEffects } from 'virtual:signal-lab/faust-effects';
import type { LabState } from './lab.svelte.ts';

export async function loadBundled(lab: LabState): Promise<string[]> {
  const keys: string[] = [];
  for (const asset of faustEffects) {
    lab.addToCatalog(asset, false);
    const key = await lab.addFaust(asset.id, false);
    if (key) keys.push(key);
  }
  return keys;
}
