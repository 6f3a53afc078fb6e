// Timeline schemas (docs/timeline-format.md §3): entities × typed fields with their quantisation,
// plus free-form static metadata. validateSchema() is the trust boundary for schemas from files,
// HTTP or applications: it checks every rule and cap and returns a fresh, frozen copy.

import { utf8LengthCapped } from '@tidewire/base';
import { TimelineError } from './errors.ts';
import { LIMITS, MAX_F_QUANT } from './limits.ts';

export type FieldType = 'i8' | 'i16' | 'i32' | 'u8' | 'u16' | 'u32' | 'f' | 'bool' | 'flags';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Quantisation step: value = q × scale. Required for 'f'; optional (default 1) for integer types; not allowed for bool/flags. */
  scale?: number;
  unit?: string;
  /** Width of a 'flags' field, 1–32. */
  bits?: number;
}

export interface EntityDef {
  id: string;
  name?: string;
  [meta: string]: unknown;
}

export interface TimelineSchema {
  name: string;
  rateHz: number;
  fields: FieldDef[];
  entities: EntityDef[];
  static?: Record<string, unknown>;
}

/** The range of the stored integer q of each type (§3.1). */
export const FIELD_TYPES: Readonly<Record<FieldType, { min: number; max: number }>> = {
  i8: { min: -128, max: 127 },
  i16: { min: -32768, max: 32767 },
  i32: { min: -2147483648, max: 2147483647 },
  u8: { min: 0, max: 255 },
  u16: { min: 0, max: 65535 },
  u32: { min: 0, max: 4294967295 },
  f: { min: -MAX_F_QUANT, max: MAX_F_QUANT },
  bool: { min: 0, max: 1 },
  flags: { min: 0, max: 4294967295 },
};

const FIELD_KEYS = new Set(['name', 'type', 'scale', 'unit', 'bits']);
const SCHEMA_KEYS = new Set(['name', 'rateHz', 'fields', 'entities', 'static']);

function bad(message: string): TimelineError {
  return new TimelineError('TL_BAD_SCHEMA', message);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  // An array fails the prototype test below.
  if (typeof x !== 'object' || x === null) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Number.isFinite and Number.isInteger as type guards: both are false for anything but a number. */
const isFiniteNumber = (x: unknown): x is number => Number.isFinite(x);
const isInteger = (x: unknown): x is number => Number.isInteger(x);

/** What a value is, for messages: `null`, `array`, or its typeof. */
function kindOf(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x;
}

function checkString(x: unknown, what: string, maxBytes: number, allowEmpty = false): string {
  if (typeof x !== 'string') throw bad(`${what} must be a string, got ${kindOf(x)}`);
  if (!allowEmpty && x.length === 0) throw bad(`${what} must not be empty`);
  if (utf8LengthCapped(x, maxBytes) > maxBytes) throw bad(`${what} exceeds ${maxBytes} UTF-8 bytes`);
  return x;
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, what: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) throw bad(`${what} has an unknown key "${k}"`);
}

/** Checks one field definition and returns a normalised copy (keys in a fixed order). */
export function validateField(x: unknown, index: number): FieldDef {
  const what = `fields[${index}]`;
  if (!isPlainObject(x)) throw bad(`${what} must be an object, got ${kindOf(x)}`);
  checkKeys(x, FIELD_KEYS, what);
  const name = checkString(x.name, `${what}.name`, LIMITS.maxNameBytes);
  const type = x.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(FIELD_TYPES, type)) {
    throw bad(`${what}.type ${JSON.stringify(type)} is not one of ${Object.keys(FIELD_TYPES).join(', ')}`);
  }
  const out: FieldDef = { name, type: type as FieldType };
  if (x.scale !== undefined) {
    if (type === 'bool' || type === 'flags') throw bad(`${what}: a ${type} field has no scale`);
    const s = x.scale;
    // The bounds keep q × scale and v / scale finite and away from subnormals.
    if (!isFiniteNumber(s) || s < 1e-12 || s > 1e12) throw bad(`${what}.scale ${String(s)} is not a number in [1e-12, 1e12]`);
    out.scale = s;
  } else if (type === 'f') {
    throw bad(`${what}: an 'f' field needs a scale (its quantisation step)`);
  }
  if (x.unit !== undefined) out.unit = checkString(x.unit, `${what}.unit`, LIMITS.maxUnitBytes, true);
  if (type === 'flags') {
    const b = x.bits;
    if (!isInteger(b) || b < 1 || b > 32) throw bad(`${what}.bits ${String(b)} is not an integer in 1..32`);
    out.bits = b;
  } else if (x.bits !== undefined) {
    throw bad(`${what}: only a flags field has bits`);
  }
  return out;
}

/** Deep-copies a JSON value (null, boolean, finite number, string, array, plain object), counting nodes. */
class JsonCopier {
  nodes = 0;

  copy(x: unknown, what: string, depth: number): unknown {
    if (++this.nodes > LIMITS.maxJsonNodes) throw bad(`metadata has more than ${LIMITS.maxJsonNodes} values`);
    if (x === null || typeof x === 'boolean') return x;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw bad(`${what} must be a finite number`);
      return x;
    }
    if (typeof x === 'string') return checkString(x, what, LIMITS.maxStringBytes, true);
    if (depth >= LIMITS.maxJsonDepth) throw bad(`${what} nests deeper than ${LIMITS.maxJsonDepth} levels`);
    if (Array.isArray(x)) {
      // No length check first: each element counts a node, so a huge array stops at maxJsonNodes.
      // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..n-1 is assigned below
      const out = new Array<unknown>(x.length);
      for (let i = 0; i < x.length; i++) out[i] = this.copy(x[i], `${what}[${i}]`, depth + 1);
      return out;
    }
    if (isPlainObject(x)) return this.copyObject(x, what, depth + 1);
    throw bad(`${what} must be a JSON value (null, boolean, number, string, array or plain object), got ${Object.prototype.toString.call(x).slice(8, -1)}`);
  }

  copyObject(x: Record<string, unknown>, what: string, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) {
      // Assigning "__proto__" to a plain object replaces its prototype instead of adding a key.
      if (k === '__proto__') throw bad(`${what} has a "__proto__" key`);
      checkString(k, `a key of ${what}`, LIMITS.maxNameBytes, true);
      const v = x[k];
      if (v === undefined) continue; // JSON drops it too; keeps copies equal to their JSON round trip
      out[k] = this.copy(v, `${what}.${k}`, depth);
    }
    return out;
  }
}

function deepFreeze(x: unknown): void {
  if (typeof x !== 'object' || x === null) return;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
}

/**
 * Checks a schema against every rule and limit of §3 and returns a fresh deep copy, frozen.
 * Throws TimelineError TL_BAD_SCHEMA naming the first offending path.
 */
export function validateSchema(x: unknown): TimelineSchema {
  if (!isPlainObject(x)) throw bad(`a schema must be an object, got ${kindOf(x)}`);
  checkKeys(x, SCHEMA_KEYS, 'schema');
  const name = checkString(x.name, 'name', LIMITS.maxNameBytes);
  const rateHz = x.rateHz;
  if (!isFiniteNumber(rateHz) || rateHz <= 0 || rateHz > LIMITS.maxRateHz) {
    throw bad(`rateHz ${String(rateHz)} is not a number in (0, ${LIMITS.maxRateHz}]`);
  }
  if (!Array.isArray(x.fields)) throw bad(`fields must be an array, got ${kindOf(x.fields)}`);
  if (x.fields.length < 1 || x.fields.length > LIMITS.maxFields) throw bad(`fields must have 1..${LIMITS.maxFields} entries, got ${x.fields.length}`);
  if (!Array.isArray(x.entities)) throw bad(`entities must be an array, got ${kindOf(x.entities)}`);
  if (x.entities.length < 1 || x.entities.length > LIMITS.maxEntities)
    throw bad(`entities must have 1..${LIMITS.maxEntities} entries, got ${x.entities.length}`);
  if (x.fields.length * x.entities.length > LIMITS.maxCells)
    throw bad(`entities × fields = ${x.entities.length} × ${x.fields.length} exceeds ${LIMITS.maxCells}`);

  const fields: FieldDef[] = [];
  const fieldNames = new Set<string>();
  for (let i = 0; i < x.fields.length; i++) {
    const f = validateField(x.fields[i], i);
    if (fieldNames.has(f.name)) throw bad(`fields[${i}].name "${f.name}" is not unique`);
    fieldNames.add(f.name);
    fields.push(f);
  }

  const json = new JsonCopier();
  const entities: EntityDef[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < x.entities.length; i++) {
    const e: unknown = x.entities[i];
    const what = `entities[${i}]`;
    if (!isPlainObject(e)) throw bad(`${what} must be an object, got ${kindOf(e)}`);
    const id = checkString(e.id, `${what}.id`, LIMITS.maxNameBytes);
    if (ids.has(id)) throw bad(`${what}.id "${id}" is not unique`);
    ids.add(id);
    if (e.name !== undefined) checkString(e.name, `${what}.name`, LIMITS.maxNameBytes, true);
    entities.push(json.copyObject(e, what, 1) as EntityDef);
  }

  const out: TimelineSchema = { name, rateHz, fields, entities };
  if (x.static !== undefined) {
    if (!isPlainObject(x.static)) throw bad(`static must be a plain object, got ${kindOf(x.static)}`);
    out.static = json.copyObject(x.static, 'static', 1);
  }
  deepFreeze(out);
  return out;
}

/** Encodes a schema as the UTF-8 JSON of §3.4 (validating it first). */
export function encodeSchema(schema: TimelineSchema): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(validateSchema(schema)));
  if (bytes.length > LIMITS.maxSchemaBytes) throw bad(`the encoded schema of ${bytes.length} bytes exceeds ${LIMITS.maxSchemaBytes}`);
  return bytes;
}

/** Decodes and validates the UTF-8 JSON of §3.4. `offset` is where the bytes sit in the file, for errors. */
export function decodeSchema(bytes: Uint8Array, offset?: number): TimelineSchema {
  // TimelineError leaves an undefined offset out.
  const at = { offset };
  if (bytes.length > LIMITS.maxSchemaBytes) throw new TimelineError('TL_BAD_LENGTH', `schema of ${bytes.length} bytes exceeds ${LIMITS.maxSchemaBytes}`, at);
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch (e) {
    throw new TimelineError('TL_BAD_SCHEMA', `schema is not UTF-8 JSON: ${(e as Error).message}`, { ...at, cause: e });
  }
  try {
    return validateSchema(value);
  } catch (e) {
    if (e instanceof TimelineError) throw new TimelineError(e.code, e.message, { ...at, cause: e });
    throw e;
  }
}
