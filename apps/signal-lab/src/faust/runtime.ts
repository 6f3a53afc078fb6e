// Loads a precompiled Faust effect in the browser WITHOUT the compiler: the wasm module the
// build emitted (vite-plugin.ts) is fetched and compiled by the browser, and faustwasm's
// runtime classes (FaustMonoDspGenerator → FaustMonoAudioWorkletNode) build the AudioWorklet
// around it. This module is its own lazily loaded chunk; it pulls in faustwasm's runtime
// (not libfaust). faustwasm stringifies its classes into the worklet's source, so the build
// must not mangle their names (vite.config.ts keeps names).
import { FaustMonoDspGenerator } from '@grame/faustwasm/dist/esm/index.js';
import type { FaustMonoAudioWorkletNode } from '@grame/faustwasm/dist/esm/index.js';
import { LabError } from '../app/errors.ts';
import { checkEffectMeta, type FaustEffectMeta } from './meta.ts';

/** A compiled effect as the build ships it (or the live editor produces it). */
export interface FaustEffectAsset {
  id: string;
  /** Content hash (the compile cache key): names the worklet processor, so versions never clash. */
  hash: string;
  /** Where the wasm is fetched from (a build asset), unless `module` is given. */
  wasmUrl?: string;
  /** Already compiled (the live editor's output). */
  module?: WebAssembly.Module;
  json: string;
}

export interface FaustEffect {
  readonly id: string;
  readonly meta: FaustEffectMeta;
  /** One stereo input, one stereo output. */
  readonly node: AudioWorkletNode;
  /** Sets a parameter by address (`/Ladder/cutoff`), clamped to its range. */
  setParam(address: string, value: number): void;
  getParam(address: string): number;
  /** Disconnects and frees the worklet instance. */
  dispose(): void;
}

const MAX_WASM_BYTES = 4 * 1024 * 1024;
// Compiled once per page: every context (the live one, offline renders) instantiates the same module.
const modules = new Map<string, Promise<WebAssembly.Module>>();

async function fetchModule(asset: FaustEffectAsset): Promise<WebAssembly.Module> {
  if (asset.module) return asset.module;
  if (!asset.wasmUrl) throw new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id} has neither a module nor a wasm URL`);
  const key = `${asset.id}:${asset.hash}`;
  let p = modules.get(key);
  if (!p) {
    p = (async () => {
      const res = await fetch(asset.wasmUrl!);
      if (!res.ok) throw new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: GET ${asset.wasmUrl} answered ${res.status}`);
      const bytes = await res.arrayBuffer();
      if (bytes.byteLength > MAX_WASM_BYTES) throw new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: wasm over ${MAX_WASM_BYTES} bytes`);
      // Not compileStreaming: it insists on Content-Type application/wasm, which a data: URL
      // or a plain static server may not give.
      return WebAssembly.compile(bytes);
    })();
    p.catch(() => modules.delete(key));
    modules.set(key, p);
  }
  try {
    return await p;
  } catch (e) {
    throw e instanceof LabError ? e : new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: ${(e as Error).message}`, { cause: e });
  }
}

/** Instantiates `asset` on `context` (live or offline) as an AudioWorkletNode. */
export async function createFaustEffect(context: BaseAudioContext, asset: FaustEffectAsset): Promise<FaustEffect> {
  const meta = checkEffectMeta(asset.id, JSON.parse(asset.json));
  const module = await fetchModule(asset);
  const generator = new FaustMonoDspGenerator();
  let node: FaustMonoAudioWorkletNode | null;
  try {
    node = await generator.createNode(context, meta.name, { module, json: asset.json, soundfiles: {}, shaKey: `faust-${asset.id}-${asset.hash}` });
  } catch (e) {
    throw new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: ${(e as Error).message}`, { cause: e });
  }
  if (!node) throw new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: no node`);
  const faust = node;
  const byAddress = new Map(meta.params.map((p) => [p.address, p]));
  return {
    id: asset.id,
    meta,
    node: faust,
    setParam(address, value) {
      const p = byAddress.get(address);
      if (!p) throw new LabError('LAB_BAD_OPTION', `Faust effect ${asset.id} has no parameter ${address}`);
      if (!Number.isFinite(value)) throw new LabError('LAB_BAD_OPTION', `${address}: ${value} is not a number`);
      faust.setParamValue(address, Math.min(p.max, Math.max(p.min, value)));
    },
    getParam(address) {
      return faust.getParamValue(address);
    },
    dispose() {
      faust.disconnect();
      faust.destroy();
    },
  };
}
