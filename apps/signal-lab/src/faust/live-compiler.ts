// The live Faust editor's compiler: libfaust (the Faust compiler as wasm, ~1.5 MB gzipped with
// its libraries) loaded in the page only when the editor is opened. This module is reached by
// dynamic import only, so it and the three libfaust files are their own chunk and assets.
// What it produces is a FaustEffectAsset like the build's, with the module already compiled.
import { FaustCompiler, LibFaust, instantiateFaustModuleFromFile } from '@grame/faustwasm/dist/esm/index.js';
import libfaustJs from '@grame/faustwasm/libfaust-wasm/libfaust-wasm.js?url';
import libfaustData from '@grame/faustwasm/libfaust-wasm/libfaust-wasm.data?url';
import libfaustWasm from '@grame/faustwasm/libfaust-wasm/libfaust-wasm.wasm?url';
import { LabError } from '../app/errors.ts';
import { checkEffectMeta } from './meta.ts';
import type { FaustEffectAsset } from './runtime.ts';

/** Same cap as the build step's. */
export const MAX_LIVE_SOURCE_BYTES = 256 * 1024;
const ARGS = '-ftz 2';

let compiler: Promise<FaustCompiler> | null = null;

/** Loads libfaust once (a few MB over the wire, then ~0.3 s to instantiate). */
export function loadCompiler(): Promise<FaustCompiler> {
  compiler ??= (async () => {
    const module = await instantiateFaustModuleFromFile(libfaustJs, libfaustData, libfaustWasm);
    return new FaustCompiler(new LibFaust(module));
  })();
  compiler.catch(() => (compiler = null));
  return compiler;
}

export async function compilerVersion(): Promise<string> {
  return (await loadCompiler()).version();
}

let counter = 0;

/** Compiles `source`; throws LAB_FAUST_COMPILE with the compiler's diagnostics. */
export async function compileLive(source: string): Promise<FaustEffectAsset> {
  if (typeof source !== 'string' || source.length === 0) throw new LabError('LAB_BAD_OPTION', 'empty Faust source');
  if (new TextEncoder().encode(source).length > MAX_LIVE_SOURCE_BYTES) throw new LabError('LAB_BAD_OPTION', `Faust source over ${MAX_LIVE_SOURCE_BYTES} bytes`);
  const c = await loadCompiler();
  const id = `live${++counter}`;
  let factory;
  try {
    factory = await c.createMonoDSPFactory(id, source, ARGS);
  } catch (e) {
    throw new LabError('LAB_FAUST_COMPILE', c.getErrorMessage() || (e as Error).message, { cause: e });
  }
  if (!factory) throw new LabError('LAB_FAUST_COMPILE', c.getErrorMessage() || 'the compiler returned nothing');
  checkEffectMeta(id, JSON.parse(factory.json));
  return { id, hash: factory.shaKey, module: factory.module, json: factory.json };
}
