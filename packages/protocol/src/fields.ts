// Field readers for decoded msgpack maps: every frame body is untrusted, so each field is
// checked for presence, type and size before a frame object is built from it.
import { badFrame } from './errors.ts';

export type Fields = Record<string, unknown>;

const encoder = new TextEncoder();

// Number.isSafeInteger and Number.isFinite take `unknown` but do not narrow it; these do, so the
// checks below need no `typeof` guard in front of them (it would check nothing more).
export const isSafeInteger = (v: unknown): v is number => Number.isSafeInteger(v);
export const isFiniteNumber = (v: unknown): v is number => Number.isFinite(v);

export function asMap(value: unknown, frame: string): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw badFrame(`${frame} body must be a map`);
  }
  return value as Fields;
}

export function str(m: Fields, key: string, frame: string, maxBytes: number, opts: { optional?: boolean; nonEmpty?: boolean } = {}): string {
  const v = m[key];
  if (v === undefined && opts.optional) return '';
  if (typeof v !== 'string') throw badFrame(`${frame}.${key} must be a string`);
  if (opts.nonEmpty && v.length === 0) throw badFrame(`${frame}.${key} must not be empty`);
  // UTF-16 length bounds UTF-8 length from below; only encode when it could exceed the cap.
  if (v.length > maxBytes || (v.length * 3 > maxBytes && encoder.encode(v).length > maxBytes)) {
    throw badFrame(`${frame}.${key} exceeds ${maxBytes} bytes`);
  }
  return v;
}

export function uint(m: Fields, key: string, frame: string): number {
  const v = m[key];
  if (!isSafeInteger(v) || v < 0) throw badFrame(`${frame}.${key} must be a non-negative integer`);
  return v;
}

export function bool(m: Fields, key: string, frame: string): boolean {
  const v = m[key];
  if (typeof v !== 'boolean') throw badFrame(`${frame}.${key} must be a boolean`);
  return v;
}

export function oneOf<T extends string>(m: Fields, key: string, frame: string, allowed: readonly T[]): T {
  const v = m[key];
  // includes() compares with ===, so a value that is not a string is never among the allowed ones.
  if (!(allowed as readonly unknown[]).includes(v)) throw badFrame(`${frame}.${key} must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function strList(m: Fields, key: string, frame: string, maxItems: number, maxBytes: number): string[] {
  const v = m[key];
  if (!Array.isArray(v)) throw badFrame(`${frame}.${key} must be an array`);
  if (v.length > maxItems) throw badFrame(`${frame}.${key} has more than ${maxItems} items`);
  return v.map((item, i) => {
    if (typeof item !== 'string' || item.length > maxBytes) throw badFrame(`${frame}.${key}[${i}] must be a string of at most ${maxBytes} bytes`);
    return item;
  });
}

export function version(m: Fields, frame: string): [number, number] {
  const v = m.protocol;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => isSafeInteger(n) && n >= 0 && n < 65536)) {
    throw badFrame(`${frame}.protocol must be [major, minor]`);
  }
  return [v[0] as number, v[1] as number];
}
