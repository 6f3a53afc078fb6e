// Checks and equality for ids and attribute values, shared by the Tree (trusted callers) and
// parseSnapshot/parseOps (untrusted decoded msgpack). Each check returns an error message or
// null so every caller can throw with its own code.

import { utf8LengthCapped } from '@tidewire/base';
import type { AttrValue, Attrs } from './types.ts';
import type { TreeLimits } from './limits.ts';

/** Non-empty string of at most maxBytes UTF-8 bytes (node ids and types). */
export function checkName(value: unknown, what: string, maxBytes: number): string | null {
  if (typeof value !== 'string') return `${what} must be a string, got ${describe(value)}`;
  if (value.length === 0) return `${what} must not be empty`;
  if (utf8LengthCapped(value, maxBytes) > maxBytes) return `${what} exceeds ${maxBytes} UTF-8 bytes`;
  return null;
}

export function checkKey(key: string, maxBytes: number): string | null {
  // Assigning "__proto__" on a plain object replaces its prototype instead of adding a key;
  // refusing the name keeps every attrs object an ordinary record.
  if (key === '__proto__') return 'attribute name "__proto__" is not allowed';
  if (utf8LengthCapped(key, maxBytes) > maxBytes) return `attribute name ${describe(key)} exceeds ${maxBytes} UTF-8 bytes`;
  return null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An attribute value: string, number, boolean, binary, or arrays/maps of those; never null. */
export function checkValue(value: unknown, depth: number, limits: TreeLimits): string | null {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return null;
    case 'object':
      if (value === null) return 'null is not an attribute value';
      // Buffer is a Uint8Array subclass, so decoded binary from either runtime passes here.
      if (value instanceof Uint8Array) return null;
      if (depth >= limits.maxValueDepth) return `attribute value nested deeper than ${limits.maxValueDepth}`;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const err = checkValue(value[i], depth + 1, limits);
          if (err !== null) return `[${i}]: ${err}`;
        }
        return null;
      }
      if (isPlainObject(value)) {
        for (const key of Object.keys(value)) {
          const kerr = checkKey(key, limits.maxKeyBytes);
          if (kerr !== null) return kerr;
          const err = checkValue(value[key], depth + 1, limits);
          if (err !== null) return `.${key}: ${err}`;
        }
        return null;
      }
      return `unsupported attribute value ${describe(value)}`;
    default:
      return `unsupported attribute value ${describe(value)}`;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A node's attrs map (no nulls). */
export function checkAttrs(value: unknown, limits: TreeLimits): string | null {
  if (!isPlainObject(value)) return `attrs must be a map, got ${describe(value)}`;
  // for…in over a plain object walks V8's enum cache without allocating a key array (this runs
  // once per node of every snapshot); the prototype is Object.prototype or null (checked above),
  // so the own-property guard only skips nothing but keeps the loop honest.
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    const kerr = checkKey(key, limits.maxKeyBytes);
    if (kerr !== null) return kerr;
    const err = checkValue(value[key], 0, limits);
    if (err !== null) return `attrs.${key}: ${err}`;
  }
  return null;
}

/** A set op's attrs: like checkAttrs, but null is allowed at the top level (it deletes). */
export function checkSetAttrs(value: unknown, limits: TreeLimits): string | null {
  if (!isPlainObject(value)) return `set attrs must be a map, got ${describe(value)}`;
  for (const key of Object.keys(value)) {
    const kerr = checkKey(key, limits.maxKeyBytes);
    if (kerr !== null) return kerr;
    const v = value[key];
    if (v === null) continue;
    const err = checkValue(v, 0, limits);
    if (err !== null) return `attrs.${key}: ${err}`;
  }
  return null;
}

/** Equality that matches the hash: numbers by value (NaN equals NaN, -0 equals 0), binary by
 *  bytes (Buffer equals Uint8Array), maps regardless of key order. */
export function valueEquals(a: AttrValue, b: AttrValue): boolean {
  if (a === b) return true;
  if (typeof a === 'number') return typeof b === 'number' && a !== a && b !== b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (b instanceof Uint8Array) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return attrsEqual(a, b);
}

export function attrsEqual(a: Readonly<Attrs>, b: Readonly<Attrs>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !valueEquals(a[k], b[k])) return false;
  }
  return true;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'binary';
  if (typeof value === 'object') return (Object.getPrototypeOf(value) as object | null)?.constructor?.name ?? 'object';
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}
