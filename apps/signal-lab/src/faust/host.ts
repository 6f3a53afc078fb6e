// FaustHost: one compiled Faust effect (faustwasm's wasm ABI, without faustwasm's runtime)
// running block by block. The module's exported functions are called directly: init(dsp, sr),
// setParamValue(dsp, byteIndex, value) and compute(dsp, frames, inputsPtr, outputsPtr), with
// the DSP struct at address 0, then the channel pointer tables, then the channel buffers —
// the layout faustwasm's FaustMonoWebAudioDsp uses. Isomorphic (no AudioWorklet here), so Node
// tests run the same code the worklet does.
//
// Why not faustwasm's own processor: per block it collects AudioParam automation into event
// objects, checks sensors and slices the block around events. For the three bundled effects
// that bookkeeping cost about as much as their DSP (measured: ~0.2 % of the real-time budget
// per effect in Chromium), and the lab's budget is shared by the whole chain.

/** What the host needs from an effect's metadata (checkEffectMeta's output). */
export interface FaustHostSpec {
  /** Bytes of the DSP struct (the JSON's `size`). */
  size: number;
  inputs: number;
  outputs: number;
  /** Byte offsets of the continuous parameters in the struct (the JSON's ui `index`). */
  paramIndex: number[];
}

export const FAUST_BLOCK = 128;

// The worklet's name and messages live here, not in host-worklet.ts: importing that module on
// the main thread would run its registerProcessor call there.
export const FAUST_PROCESSOR_NAME = 'tidewire-faust';

export interface FaustProcessorOptions {
  module: WebAssembly.Module;
  spec: FaustHostSpec;
  /** Initial parameter values as [byteIndex, value] pairs. */
  params: number[];
}

/** Port messages: to the processor `set`/`dispose`; from it `ready` or `error`. */
export type FaustPortMessage = { type: 'set'; params: number[] } | { type: 'dispose' };

const PAGE = 65536;
const MAX_MEMORY_BYTES = 64 * 1024 * 1024;

// The math functions a Faust wasm module may import from `env` (float and double variants).
const MATH: Record<string, (...args: number[]) => number> = {
  abs: Math.abs,
  acos: Math.acos,
  asin: Math.asin,
  atan: Math.atan,
  atan2: Math.atan2,
  ceil: Math.ceil,
  cos: Math.cos,
  exp: Math.exp,
  floor: Math.floor,
  fmod: (x, y) => x % y,
  log: Math.log,
  log10: Math.log10,
  max_: Math.max,
  min_: Math.min,
  remainder: (x, y) => x - Math.round(x / y) * y,
  pow: Math.pow,
  round: Math.round,
  sin: Math.sin,
  sqrt: Math.sqrt,
  tan: Math.tan,
  acosh: Math.acosh,
  asinh: Math.asinh,
  atanh: Math.atanh,
  cosh: Math.cosh,
  sinh: Math.sinh,
  tanh: Math.tanh,
  isnan: (x) => (Number.isNaN(x) ? 1 : 0),
  isinf: (x) => (Number.isFinite(x) || Number.isNaN(x) ? 0 : 1),
  copysign: (x, y) => (Math.sign(x) === Math.sign(y) ? x : -x),
};

/** The `env` imports a module asks for; an unknown one is an error naming it. */
export function faustImports(module: WebAssembly.Module): WebAssembly.Imports {
  const env: Record<string, WebAssembly.ImportValue> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'env') throw new Error(`Faust module imports ${imp.module}.${imp.name}, expected only env`);
    if (imp.kind === 'function') {
      // `_sinf` / `_sin`, `_max_f` / `_max_`: strip the underscore and the float suffix.
      const name = imp.name.replace(/^_/, '');
      const fn = MATH[name] ?? MATH[name.replace(/f$/, '')];
      if (!fn) throw new Error(`Faust module imports an unknown function ${imp.name}`);
      env[imp.name] = fn;
    } else if (imp.kind === 'memory') {
      env[imp.name] = new WebAssembly.Memory({ initial: 100 });
    } else if (imp.kind === 'table') {
      env[imp.name] = new WebAssembly.Table({ initial: 0, element: 'anyfunc' });
    } else {
      env[imp.name] = 0;
    }
  }
  return { env };
}

interface FaustExports {
  memory: WebAssembly.Memory;
  init(dsp: number, sampleRate: number): void;
  setParamValue(dsp: number, index: number, value: number): void;
  getParamValue(dsp: number, index: number): number;
  compute(dsp: number, frames: number, inputs: number, outputs: number): void;
}

export class FaustHost {
  readonly spec: FaustHostSpec;
  private readonly api: FaustExports;
  private readonly insPtr: number;
  private readonly outsPtr: number;
  /** Views of the effect's channel buffers inside its memory. */
  private readonly ins: Float32Array[] = [];
  private readonly outs: Float32Array[] = [];
  private readonly allowed: Set<number>;

  /** Instantiates synchronously (allowed on the audio thread and in Node). */
  constructor(module: WebAssembly.Module, spec: FaustHostSpec, sampleRate: number) {
    this.spec = spec;
    const instance = new WebAssembly.Instance(module, faustImports(module));
    const api = instance.exports as unknown as FaustExports;
    for (const fn of ['init', 'setParamValue', 'getParamValue', 'compute'] as const) {
      if (typeof api[fn] !== 'function') throw new Error(`Faust module does not export ${fn}`);
    }
    if (!(api.memory instanceof WebAssembly.Memory)) throw new Error('Faust module does not export its memory');
    this.api = api;
    // Pointer tables after the struct, then one block per channel (16-byte aligned).
    this.insPtr = align(spec.size, 16);
    this.outsPtr = this.insPtr + 4 * spec.inputs;
    const buffers = align(this.outsPtr + 4 * spec.outputs, 16);
    const end = buffers + (spec.inputs + spec.outputs) * FAUST_BLOCK * 4;
    if (end > MAX_MEMORY_BYTES) throw new Error(`Faust effect needs ${end} bytes of memory (cap ${MAX_MEMORY_BYTES})`);
    const have = api.memory.buffer.byteLength;
    if (end > have) api.memory.grow(Math.ceil((end - have) / PAGE));
    // Views after any grow: growing detaches the old buffer.
    const heap = api.memory.buffer;
    const ptrs = new Int32Array(heap);
    for (let c = 0; c < spec.inputs + spec.outputs; c++) {
      const at = buffers + c * FAUST_BLOCK * 4;
      const view = new Float32Array(heap, at, FAUST_BLOCK);
      if (c < spec.inputs) {
        ptrs[(this.insPtr >> 2) + c] = at;
        this.ins.push(view);
      } else {
        ptrs[(this.outsPtr >> 2) + c - spec.inputs] = at;
        this.outs.push(view);
      }
    }
    this.allowed = new Set(spec.paramIndex);
    api.init(0, sampleRate);
  }

  /** Sets a parameter by its byte index; false (nothing set) for an index it does not have. */
  setParam(index: number, value: number): boolean {
    if (!this.allowed.has(index) || !Number.isFinite(value)) return false;
    this.api.setParamValue(0, index, value);
    return true;
  }

  getParam(index: number): number {
    return this.allowed.has(index) ? this.api.getParamValue(0, index) : NaN;
  }

  /**
   * One block of up to FAUST_BLOCK frames. `input` may have fewer channels than the effect
   * (mono into a stereo effect feeds both) or none (silence); output channels beyond the
   * effect's repeat its last one.
   */
  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number): void {
    const n = Math.min(frames, FAUST_BLOCK);
    const ins = this.ins;
    for (let c = 0; c < ins.length; c++) {
      const src = c < input.length ? input[c] : input.length > 0 ? input[input.length - 1] : null;
      if (src !== null && src !== undefined) ins[c].set(src.length > n ? src.subarray(0, n) : src);
      else ins[c].fill(0);
    }
    this.api.compute(0, n, this.insPtr, this.outsPtr);
    const outs = this.outs;
    for (let c = 0; c < output.length; c++) {
      const src = outs[Math.min(c, outs.length - 1)];
      output[c].set(n === FAUST_BLOCK ? src : src.subarray(0, n));
    }
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
