// What the chain needs from a Faust program's JSON metadata: its name, channel counts and
// continuous parameters (sliders and number entries; buttons and checkboxes map to 0/1
// sliders). Validated once, at build time and again when the page loads an effect, so the
// UI never meets a parameter without a finite range. Isomorphic: used by the Node compiler
// and the browser loader.
import { LabError } from '../app/errors.ts';

export interface FaustParam {
  /** faustwasm's parameter path, e.g. `/Ladder/cutoff` (also the AudioParam's name). */
  address: string;
  label: string;
  min: number;
  max: number;
  init: number;
  step: number;
  /** From `[unit:Hz]`; '' when the source names none. */
  unit: string;
  /** From `[scale:log]`: sliders move in log space. */
  scale: 'lin' | 'log';
  /** Byte offset of the value in the DSP struct (the host's setParamValue index). */
  index: number;
}

export interface FaustEffectMeta {
  id: string;
  /** `declare name` of the source (falls back to the id). */
  name: string;
  description: string;
  inputs: number;
  outputs: number;
  /** Bytes of the DSP struct; the host lays its buffers out after it. */
  size: number;
  params: FaustParam[];
}

/** The chain is stereo; a mono effect is run once per channel by the loader (not yet needed). */
export const MAX_FAUST_CHANNELS = 2;
const MAX_PARAMS = 64;
const MAX_DEPTH = 16;
/** The struct of the biggest bundled effect (freeverb) is 0.6 MB; 32 MB is far beyond sane. */
export const MAX_FAUST_STRUCT_BYTES = 32 * 1024 * 1024;

interface RawItem {
  type?: unknown;
  label?: unknown;
  address?: unknown;
  items?: unknown;
  min?: unknown;
  max?: unknown;
  init?: unknown;
  step?: unknown;
  meta?: unknown;
  index?: unknown;
}

function metaValue(item: RawItem, key: string): string | undefined {
  if (!Array.isArray(item.meta)) return undefined;
  for (const m of item.meta as unknown[]) {
    if (m && typeof m === 'object' && key in m) {
      const v = (m as Record<string, unknown>)[key];
      return typeof v === 'string' ? v : undefined;
    }
  }
  return undefined;
}

function bad(id: string, what: string): LabError {
  return new LabError('LAB_FAUST_BAD_META', `Faust effect ${id}: ${what}`);
}

function collect(id: string, items: unknown, depth: number, out: FaustParam[], size: number): void {
  if (!Array.isArray(items)) throw bad(id, 'ui is not a list');
  if (depth > MAX_DEPTH) throw bad(id, 'ui nests too deep');
  for (const raw of items as RawItem[]) {
    if (!raw || typeof raw !== 'object') throw bad(id, 'ui item is not an object');
    const type = raw.type;
    if (type === 'vgroup' || type === 'hgroup' || type === 'tgroup') {
      collect(id, raw.items, depth + 1, out, size);
      continue;
    }
    // Bargraphs are outputs; soundfiles are not supported by the chain.
    if (type !== 'hslider' && type !== 'vslider' && type !== 'nentry' && type !== 'button' && type !== 'checkbox') continue;
    if (typeof raw.address !== 'string' || !raw.address.startsWith('/')) throw bad(id, 'parameter without an address');
    const toggle = type === 'button' || type === 'checkbox';
    const min = toggle ? 0 : Number(raw.min);
    const max = toggle ? 1 : Number(raw.max);
    const init = toggle ? 0 : Number(raw.init);
    const step = toggle ? 1 : Number(raw.step);
    if (![min, max, init, step].every(Number.isFinite) || !(min < max) || init < min || init > max || step < 0) {
      throw bad(id, `parameter ${raw.address} has no usable range`);
    }
    const index = raw.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index + 4 > size || index % 4 !== 0) {
      throw bad(id, `parameter ${raw.address} has no usable index`);
    }
    const scaleMeta = metaValue(raw, 'scale');
    const scale = scaleMeta === 'log' && min > 0 ? 'log' : 'lin';
    out.push({
      address: raw.address,
      label: typeof raw.label === 'string' ? raw.label : raw.address,
      min,
      max,
      init,
      step,
      unit: metaValue(raw, 'unit') ?? '',
      scale,
      index,
    });
    if (out.length > MAX_PARAMS) throw bad(id, `more than ${MAX_PARAMS} parameters`);
  }
}

/** Checks the compiler's JSON (already parsed) and extracts what the chain uses. */
export function checkEffectMeta(id: string, json: unknown): FaustEffectMeta {
  if (!json || typeof json !== 'object') throw bad(id, 'metadata is not an object');
  const j = json as Record<string, unknown>;
  const inputs = j.inputs;
  const outputs = j.outputs;
  if (typeof inputs !== 'number' || !Number.isInteger(inputs) || inputs < 1 || inputs > MAX_FAUST_CHANNELS) {
    throw bad(id, `an effect needs 1–${MAX_FAUST_CHANNELS} inputs, has ${String(inputs)}`);
  }
  if (typeof outputs !== 'number' || !Number.isInteger(outputs) || outputs < 1 || outputs > MAX_FAUST_CHANNELS) {
    throw bad(id, `an effect needs 1–${MAX_FAUST_CHANNELS} outputs, has ${String(outputs)}`);
  }
  const size = j.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_FAUST_STRUCT_BYTES) {
    throw bad(id, `DSP size ${String(size)} is not an integer in [0, ${MAX_FAUST_STRUCT_BYTES}]`);
  }
  const params: FaustParam[] = [];
  collect(id, j.ui, 0, params, size);
  let name = id;
  let description = '';
  if (Array.isArray(j.meta)) {
    for (const m of j.meta as unknown[]) {
      if (!m || typeof m !== 'object') continue;
      const r = m as Record<string, unknown>;
      if (typeof r.name === 'string' && r.name.length > 0) name = r.name.slice(0, 64);
      if (typeof r.description === 'string') description = r.description.slice(0, 200);
    }
  }
  return { id, name, description, inputs, outputs, size, params };
}
