// The content hash (docs/tree.md §4): 64 bits from two 32-bit lanes over a stream of 32-bit
// words. Lane 1 is a MurmurHash3 block step, lane 2 an xxHash32 round fed with lane 1, so
// structured inputs that collide in one lane (the classic weakness of multiply-only hashes)
// do not collide in the other. Only Math.imul, shifts and a little-endian DataView are used,
// so every JS runtime computes the same bits. Not cryptographic: it detects change, it does
// not resist an adversary choosing attribute values to collide.
//
// The hasher keeps its state in module variables so hashing a node allocates nothing but the
// sorted key list of its attrs.

import type { AttrValue, Attrs } from './types.ts';

const SEED1 = 0x5bd1e995 | 0;
const SEED2 = 0x2f0b3c29 | 0;

// Type tags keep differently-typed values with the same bits apart (1 vs "1" vs true).
const T_STR = 1;
const T_INT = 2;
const T_FLOAT = 3;
const T_NAN = 4;
const T_TRUE = 5;
const T_FALSE = 6;
const T_BIN = 7;
const T_ARR = 8;
const T_MAP = 9;

let h1 = 0;
let h2 = 0;
const f64 = new DataView(new ArrayBuffer(8));

function begin(): void {
  h1 = SEED1;
  h2 = SEED2;
}

function word(w: number): void {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h1 ^= k;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  let a = (h2 + Math.imul(w ^ h1, 0x85ebca77)) | 0;
  a = (a << 13) | (a >>> 19);
  h2 = Math.imul(a, 0x9e3779b1);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Length first, then two UTF-16 code units per word: strings hash the same in every runtime.
 *  The word step is inlined on locals: strings are most of what gets hashed. */
function str(s: string): void {
  const n = s.length;
  word(n);
  let a = h1;
  let b = h2;
  for (let i = 0; i < n; i += 2) {
    const w = i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : s.charCodeAt(i);
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let c = (b + Math.imul(w ^ a, 0x85ebca77)) | 0;
    c = (c << 13) | (c >>> 19);
    b = Math.imul(c, 0x9e3779b1);
  }
  h1 = a;
  h2 = b;
}

function bytes(b: Uint8Array): void {
  const n = b.length;
  word(n);
  let i = 0;
  for (; i + 3 < n; i += 4) word(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  for (; i < n; i++) word(b[i]);
}

function value(v: AttrValue): void {
  switch (typeof v) {
    case 'string':
      word(T_STR);
      str(v);
      return;
    case 'number':
      // -0 takes the integer path and hashes as 0, matching valueEquals().
      if ((v | 0) === v) {
        word(T_INT);
        word(v);
      } else if (v !== v) {
        word(T_NAN); // one NaN, whatever its payload bits
      } else {
        word(T_FLOAT);
        f64.setFloat64(0, v, true);
        word(f64.getUint32(0, true));
        word(f64.getUint32(4, true));
      }
      return;
    case 'boolean':
      word(v ? T_TRUE : T_FALSE);
      return;
    default:
      if (v instanceof Uint8Array) {
        word(T_BIN);
        bytes(v);
      } else if (Array.isArray(v)) {
        word(T_ARR);
        word(v.length);
        for (let i = 0; i < v.length; i++) value(v[i]);
      } else {
        word(T_MAP);
        map(v);
      }
  }
}

/** Sorts in place by UTF-16 code units, as Array.prototype.sort() does without a comparator.
 *  Insertion sort: attribute maps are small, and this is several times faster than sort() there. */
export function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: both ways sort by UTF-16 code units; the 32-key switch only picks the faster one
  if (n > 32) return keys.sort();
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function map(m: Readonly<Attrs>): void {
  const keys = sortKeys(Object.keys(m));
  word(keys.length);
  for (let i = 0; i < keys.length; i++) {
    str(keys[i]);
    value(m[keys[i]]);
  }
}

export interface HashLanes {
  h1: number;
  h2: number;
}

/** Hashes one node from its own content and its children's (already computed) lanes and
 *  stores the result in out. */
export function hashNodeInto(out: HashLanes, id: string, type: string, attrs: Readonly<Attrs>, children: readonly HashLanes[]): void {
  begin();
  str(id);
  str(type);
  map(attrs);
  const n = children.length;
  word(n);
  for (let i = 0; i < n; i++) {
    const c = children[i];
    word(c.h1);
    word(c.h2);
  }
  const a = fmix(h1 ^ Math.imul(h2, 0x27d4eb2f));
  out.h1 = a >>> 0;
  out.h2 = fmix((h2 + a) | 0) >>> 0;
}

/** 16 lowercase hex digits (an HTTP ETag body). */
export function lanesToHex(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
