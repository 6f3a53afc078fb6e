// The build-time Faust compiler: .dsp source → wasm module + JSON metadata, with faustwasm's
// libfaust (the Faust compiler built to wasm) running in Node. The page never carries the
// compiler for the bundled effects: the Vite plugin (vite-plugin.ts) emits what this returns,
// and the browser runs it in the lab's own `tidewire-faust` worklet (runtime.ts, host.ts).
// Results are cached on disk by a hash of the source, the flags and the compiler's version,
// so an unchanged effect costs one file read per build.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaustCompiler, LibFaust, instantiateFaustModuleFromFile } from '@grame/faustwasm/dist/esm/index.js';
import { LabError } from '../app/errors.ts';
import { checkEffectMeta, type FaustEffectMeta } from './meta.ts';

/** Sources bigger than this are refused (the bundled effects are ~1 KB). */
export const MAX_FAUST_SOURCE_BYTES = 256 * 1024;
/** Flags for every bundled effect: single precision, denormals flushed (no CPU spikes on decay tails). */
export const FAUST_ARGS = '-ftz 2';
const NAME = /^[a-z][a-z0-9-]{0,31}$/;

export interface CompiledFaust {
  /** File stem of the source (`reverb` for reverb.dsp): the effect's id. */
  id: string;
  wasm: Uint8Array<ArrayBuffer>;
  /** The compiler's JSON metadata, as text (faustwasm's factories take it as a string). */
  json: string;
  meta: FaustEffectMeta;
  /** sha-256 of faustwasm's version + flags + source: the cache key. */
  hash: string;
  fromCache: boolean;
}

const require = createRequire(import.meta.url);
let compilerPromise: Promise<{ compiler: FaustCompiler; version: string }> | null = null;

/** libfaust, instantiated once per process (~0.2 s, then each effect ~0.1–0.5 s). */
function faustCompiler(): Promise<{ compiler: FaustCompiler; version: string }> {
  compilerPromise ??= (async () => {
    const jsPath = require.resolve('@grame/faustwasm/libfaust-wasm/libfaust-wasm.js');
    const module = await instantiateFaustModuleFromFile(jsPath);
    const lib = new LibFaust(module);
    return { compiler: new FaustCompiler(lib), version: lib.version() };
  })();
  return compilerPromise;
}

function faustwasmVersion(): string {
  return (require('@grame/faustwasm/package.json') as { version: string }).version;
}

export function defaultFaustCacheDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../.cache/signal-lab/faust');
}

export function checkEffectId(id: string): void {
  if (typeof id !== 'string' || !NAME.test(id)) {
    throw new LabError('LAB_BAD_OPTION', `a Faust effect id must match ${NAME}, got ${JSON.stringify(id)}`);
  }
}

export interface CompileOptions {
  /** Where compiled effects are cached; null disables the cache. Default .cache/signal-lab/faust. */
  cacheDir?: string | null;
  args?: string;
}

/** Compiles one Faust program. Throws LAB_FAUST_COMPILE with the compiler's diagnostics. */
export async function compileFaust(id: string, source: string, options: CompileOptions = {}): Promise<CompiledFaust> {
  checkEffectId(id);
  if (typeof source !== 'string') throw new LabError('LAB_BAD_OPTION', 'Faust source must be a string');
  if (Buffer.byteLength(source) > MAX_FAUST_SOURCE_BYTES) {
    throw new LabError('LAB_BAD_OPTION', `Faust source ${id} is over ${MAX_FAUST_SOURCE_BYTES} bytes`);
  }
  const args = options.args ?? FAUST_ARGS;
  // Keyed on the package's version (it pins libfaust and the Faust libraries), so a cache hit
  // does not even instantiate the compiler.
  const hash = createHash('sha256').update(`faustwasm ${faustwasmVersion()}\0${args}\0${source}`).digest('hex');
  const cacheDir = options.cacheDir === undefined ? defaultFaustCacheDir() : options.cacheDir;
  const stem = cacheDir === null ? null : join(cacheDir, `${id}-${hash.slice(0, 16)}`);
  if (stem !== null) {
    const cached = await readCached(id, stem, hash);
    if (cached) return cached;
  }
  const { compiler } = await faustCompiler();
  let factory;
  try {
    factory = await compiler.createMonoDSPFactory(id, source, args);
  } catch (e) {
    throw new LabError('LAB_FAUST_COMPILE', `${id}.dsp: ${compiler.getErrorMessage() || (e as Error).message}`, { cause: e });
  }
  if (!factory) throw new LabError('LAB_FAUST_COMPILE', `${id}.dsp: ${compiler.getErrorMessage() || 'no factory'}`);
  const wasm = new Uint8Array(factory.code);
  const json = factory.json;
  const meta = checkEffectMeta(id, JSON.parse(json));
  if (stem !== null) await writeCached(stem, wasm, json);
  return { id, wasm, json, meta, hash, fromCache: false };
}

async function readCached(id: string, stem: string, hash: string): Promise<CompiledFaust | null> {
  try {
    const [wasm, json] = await Promise.all([readFile(`${stem}.wasm`), readFile(`${stem}.json`, 'utf8')]);
    // A truncated or foreign file is a miss, not an error: the compiler rewrites it.
    if (!WebAssembly.validate(wasm)) return null;
    return { id, wasm: new Uint8Array(wasm), json, meta: checkEffectMeta(id, JSON.parse(json)), hash, fromCache: true };
  } catch {
    return null;
  }
}

async function writeCached(stem: string, wasm: Uint8Array, json: string): Promise<void> {
  const dir = dirname(stem);
  await mkdir(dir, { recursive: true });
  // Write-then-rename: a concurrent build never reads half a file.
  const tmp = `.${process.pid}.${Date.now().toString(36)}`;
  await writeFile(`${stem}.wasm${tmp}`, wasm);
  await writeFile(`${stem}.json${tmp}`, json);
  await rename(`${stem}.wasm${tmp}`, `${stem}.wasm`);
  await rename(`${stem}.json${tmp}`, `${stem}.json`);
  // Older versions of this effect are dead weight: one entry per effect stays.
  const own = basename(stem);
  const id = own.slice(0, own.lastIndexOf('-'));
  for (const name of await readdir(dir)) {
    const m = /^([a-z0-9-]+)-[0-9a-f]{16}\.(wasm|json)$/.exec(name);
    if (m && m[1] === id && !name.startsWith(`${own}.`)) {
      await unlink(join(dir, name)).catch(() => {});
    }
  }
}

/** The .dsp files of `dir`, sorted (the chain offers them in this order). */
export async function listFaustSources(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.dsp')).sort();
  return names.map((n) => join(dir, n));
}

/** Compiles every .dsp file of `dir` (one after the other: libfaust is single-threaded). */
export async function compileFaustDir(dir: string, options: CompileOptions = {}): Promise<CompiledFaust[]> {
  const out: CompiledFaust[] = [];
  for (const path of await listFaustSources(dir)) {
    const id = basename(path, '.dsp');
    out.push(await compileFaust(id, await readFile(path, 'utf8'), options));
  }
  return out;
}
