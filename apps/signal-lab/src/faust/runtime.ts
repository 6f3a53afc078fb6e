// Loads a precompiled Faust effect in the browser WITHOUT the compiler: the wasm module the
// build emitted (vite-plugin.ts) is fetched and compiled by the browser, and the lab's own
// `tidewire-faust` AudioWorklet processor (host-worklet.ts) runs it — not faustwasm's runtime,
// whose per-block bookkeeping cost as much as the effects' DSP (see host.ts). This module is
// its own lazily loaded chunk, together with the worklet's URL.
import hostWorkletUrl from './host-worklet.ts?worker&url';
import { FAUST_PROCESSOR_NAME } from './host.ts';
import type { FaustPortMessage, FaustProcessorOptions } from './host.ts';
import { LabError } from '../app/errors.ts';
import { loadWorkletModule } from '../dsp/lab.ts';
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
  /** One input (mono feeds both channels), one stereo output. */
  readonly node: AudioWorkletNode;
  /** Sets a parameter by address (`/Ladder/cutoff`), clamped to its range (applies from the next block). */
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

/** How long the audio thread may take to instantiate an effect before loading fails. */
const READY_TIMEOUT_MS = 10_000;

/**
 * Instantiates `asset` on `context` (live or offline) as an AudioWorkletNode. `params` (by
 * address, clamped like setParam) hold from the first block: an offline render may start
 * before a later setParam's message reaches the audio thread.
 */
export async function createFaustEffect(context: BaseAudioContext, asset: FaustEffectAsset, params: Record<string, number> = {}): Promise<FaustEffect> {
  const meta = checkEffectMeta(asset.id, JSON.parse(asset.json));
  const byAddress = new Map(meta.params.map((p) => [p.address, p]));
  const values = new Map(meta.params.map((p) => [p.address, p.init]));
  const clamp = (address: string, value: number): number => {
    const p = byAddress.get(address);
    if (!p) throw new LabError('LAB_BAD_OPTION', `Faust effect ${asset.id} has no parameter ${address}`);
    if (!Number.isFinite(value)) throw new LabError('LAB_BAD_OPTION', `${address}: ${value} is not a number`);
    return Math.min(p.max, Math.max(p.min, value));
  };
  for (const [address, value] of Object.entries(params)) values.set(address, clamp(address, value));
  const [module] = await Promise.all([
    fetchModule(asset),
    loadWorkletModule(context, hostWorkletUrl).catch((cause: unknown) => {
      throw new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: could not load the Faust worklet`, { cause });
    }),
  ]);
  const options: FaustProcessorOptions = {
    module,
    spec: { size: meta.size, inputs: meta.inputs, outputs: meta.outputs, paramIndex: meta.params.map((p) => p.index) },
    params: meta.params.flatMap((p) => [p.index, values.get(p.address)!]),
  };
  const node = new AudioWorkletNode(context, FAUST_PROCESSOR_NAME, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [2],
    processorOptions: options,
  });
  // The processor answers `ready` once its instance exists, or `error` with the reason.
  await new Promise<void>((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer);
      node.port.onmessage = null;
      node.disconnect();
      // Ends the processor too: it would otherwise render silence for as long as the context lives.
      node.port.postMessage({ type: 'dispose' } satisfies FaustPortMessage);
      node.port.close();
      reject(new LabError('LAB_FAUST_LOAD', `Faust effect ${asset.id}: ${message}`));
    };
    const timer = setTimeout(() => fail(`the audio thread did not instantiate it within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    node.onprocessorerror = () => fail('the processor failed');
    node.port.onmessage = (e: MessageEvent) => {
      const m = e.data as { type?: string; message?: string };
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (m?.type === 'error') {
        fail(String(m.message));
      }
    };
  });
  const post = (m: FaustPortMessage) => node.port.postMessage(m);
  return {
    id: asset.id,
    meta,
    node,
    setParam(address, value) {
      const v = clamp(address, value);
      values.set(address, v);
      post({ type: 'set', params: [byAddress.get(address)!.index, v] });
    },
    getParam(address) {
      const v = values.get(address);
      if (v === undefined) throw new LabError('LAB_BAD_OPTION', `Faust effect ${asset.id} has no parameter ${address}`);
      return v;
    },
    dispose() {
      node.disconnect();
      post({ type: 'dispose' });
      node.port.close();
    },
  };
}
