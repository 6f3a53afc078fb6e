// Shared test helpers: hex literals, gzip as the injected compressor, record surgery for
// corruption tests (CRCs recomputed with node:zlib's crc32, independent of ours).

import assert from 'node:assert/strict';
import { crc32 as zlibCrc32, gunzipSync, gzipSync } from 'node:zlib';
import { Opcode, TimelineError, TimelineWriter, type TimelineSchema, type TimelineWriterOptions } from '../src/index.ts';

export { forSeeds, Prng } from '@tidewire/random';

export const hex = (s: string): Uint8Array => {
  const clean = s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  assert.equal(clean.length % 2, 0, 'odd hex length');
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
};
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const gzip = (b: Uint8Array): Uint8Array => gzipSync(b);
export const gunzip = (b: Uint8Array): Uint8Array => gunzipSync(b);

function expectTl(caught: unknown, code: string, offset: number | undefined): TimelineError {
  assert.ok(caught instanceof TimelineError, `expected TimelineError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  return caught;
}

/** Asserts that body throws a TimelineError with this code (and offset, when given). */
export function throwsTl(body: () => unknown, code: string, offset?: number): TimelineError {
  let caught: unknown;
  try {
    body();
  } catch (e) {
    caught = e;
  }
  return expectTl(caught, code, offset);
}

export async function rejectsTl(body: () => Promise<unknown>, code: string, offset?: number): Promise<TimelineError> {
  let caught: unknown;
  try {
    await body();
  } catch (e) {
    caught = e;
  }
  return expectTl(caught, code, offset);
}

/**
 * Asserts that body throws a TimelineError of `code` (at `offset`, when given) whose message names
 * what was wrong: every pattern of `names` matches it — the record, field or option at fault
 * (`SEGMENT.raw_length`, `column 1 "gear"`), the value and the limit (`65536`, `1..65535`). Tests
 * match these names with `\b` word boundaries (an emptied label fails), never whole sentences
 * (docs/timeline-format.md §6).
 */
export function throwsNaming(body: () => unknown, code: string, names: readonly RegExp[], offset?: number): TimelineError {
  const e = throwsTl(body, code, offset);
  for (const name of names) assert.match(e.message, name, `${code}: the message does not name ${name}`);
  return e;
}

/** throwsNaming for a promise. */
export async function rejectsNaming(body: () => Promise<unknown>, code: string, names: readonly RegExp[], offset?: number): Promise<TimelineError> {
  const e = await rejectsTl(body, code, offset);
  for (const name of names) assert.match(e.message, name, `${code}: the message does not name ${name}`);
  return e;
}

export const smallSchema: TimelineSchema = {
  name: 'small',
  rateHz: 25,
  fields: [
    { name: 'x', type: 'f', scale: 0.01, unit: 'm' },
    { name: 'gear', type: 'i8' },
    { name: 'drs', type: 'bool' },
  ],
  entities: [{ id: 'a', name: 'Alpha', color: '#ff0000' }, { id: 'b' }, { id: 'c' }],
  static: {
    track: [
      [0, 0],
      [1, 2],
    ],
  },
};

/** Values of frame i of a small deterministic stream for smallSchema. */
export function smallValues(i: number): Float64Array {
  return Float64Array.of(i * 0.27, 1 + ((i >> 3) % 7), i % 11 === 0 ? 1 : 0, i % 17 < 3 ? NaN : 100 - i * 0.5, 3, 0, i * i * 0.01, 2 + ((i >> 4) % 5), 1);
}

/** A finished file of `frames` frames of smallSchema at the schema's rate. */
export async function smallFile(frames: number, options: Partial<TimelineWriterOptions> = {}): Promise<Uint8Array> {
  const w = new TimelineWriter(smallSchema, { compress: gzip, keyframeInterval: 4, ...options });
  for (let i = 0; i < frames; i++) w.append(i * 40, smallValues(i));
  return w.finish();
}

export function u64le(v: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, v % 2 ** 32, true);
  dv.setUint32(4, Math.floor(v / 2 ** 32), true);
  return b;
}

/** The record at offset: its content range and end, from its length field (trusted: test files). */
export function recordAt(file: Uint8Array, offset: number): { opcode: number; content: number; length: number; end: number } {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = dv.getUint32(offset + 1, true) + dv.getUint32(offset + 5, true) * 2 ** 32;
  return { opcode: file[offset], content: offset + 9, length, end: offset + 9 + length + 4 };
}

/** A whole record (opcode • length • content • CRC) built with node:zlib's CRC, not ours. */
export function makeRecord(opcode: number, content: Uint8Array): Uint8Array {
  const out = new Uint8Array(13 + content.length);
  out[0] = opcode;
  out.set(u64le(content.length), 1);
  out.set(content, 9);
  new DataView(out.buffer).setUint32(9 + content.length, zlibCrc32(out.subarray(0, 9 + content.length)), true);
  return out;
}

/** Recomputes the CRC of the record at offset in place (after a test edited its content). */
export function fixCrc(file: Uint8Array, offset: number): void {
  const r = recordAt(file, offset);
  new DataView(file.buffer, file.byteOffset).setUint32(r.end - 4, zlibCrc32(file.subarray(offset, r.end - 4)), true);
}

/** Offsets of the records of a well-formed file, walking from the start. */
export function recordOffsets(file: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 8; at < file.length - 8; at = recordAt(file, at).end) out.push(at);
  return out;
}

/** The reader's and the corruption tests' file: 10 frames in 3 segments (4 + 4 + 2), gzipped and stored uncompressed. */
export async function smallFiles(): Promise<{ file: Uint8Array; stored: Uint8Array }> {
  return { file: await smallFile(10), stored: await smallFile(10, { compress: (b) => b, compression: '' }) };
}

/** Where each kind of record of a well-formed file starts. */
export function recordsByKind(file: Uint8Array): { header: number; schema: number; segments: number[]; index: number; footer: number } {
  const all = recordOffsets(file);
  const of = (op: number) => all.filter((o) => file[o] === op);
  return {
    header: of(Opcode.HEADER)[0]!,
    schema: of(Opcode.SCHEMA)[0]!,
    segments: of(Opcode.SEGMENT),
    index: of(Opcode.INDEX)[0]!,
    footer: of(Opcode.FOOTER)[0]!,
  };
}

/** A copy of `file` changed by `body` (the original stays as it was for the next test). */
export function edited(file: Uint8Array, body: (copy: Uint8Array) => void): Uint8Array {
  const copy = file.slice();
  body(copy);
  return copy;
}

export function setU32(file: Uint8Array, at: number, v: number): void {
  new DataView(file.buffer, file.byteOffset).setUint32(at, v, true);
}

/**
 * Decoded values against the values that were appended (never against the codec's own
 * output): equal at the schema precision (half a scale step), absent cells absent.
 */
export function assertClose(schema: TimelineSchema, input: ArrayLike<number>, output: ArrayLike<number>, where: string): void {
  const F = schema.fields.length;
  assert.equal(output.length, input.length, `${where}: ${output.length} cells, expected ${input.length}`);
  for (let c = 0; c < input.length; c++) {
    const v = input[c];
    const d = output[c];
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(d), `${where}, cell ${c}: absent decoded as ${d}`);
      continue;
    }
    const scale = schema.fields[c % F].scale ?? 1;
    // scale / 2, plus float rounding of a product near 2^48 × scale.
    assert.ok(
      Math.abs(d - v) <= scale / 2 + Math.abs(v) * 2 ** -45,
      `${where}, cell ${c} (${schema.fields[c % F].type}, scale ${scale}): ${v} decoded as ${d}`,
    );
  }
}
