// Target f1-udp (docs/fuzzing.md §2.8): one F1 game telemetry datagram (F1 23–25) → decodePacket
// (apps/replay, docs/replay-import.md). Documented to never throw: every problem comes back as a
// DropReason, so any throw is a finding, and so is a result outside the DecodeResult shape.
import * as fc from 'fast-check';
import { decodePacket, DROP_REASONS, HEADER_SIZE, LAYOUTS, MAX_PACKET_BYTES, PacketId, SUPPORTED_FORMATS, type PacketFormat } from '@tidewire/replay';
import { hostileNumber } from '../hostile.ts';
import { ContractViolation, type FuzzTarget } from '../target.ts';
import { concat } from './common.ts';

interface HeaderFields {
  format: number;
  packetId: number;
  sessionTime: number;
  frame: number;
}

/** The 29-byte header of F1 23+ (packetFormat u16 … secondaryPlayerCarIndex u8), little-endian. */
function header(h: HeaderFields): Uint8Array {
  const b = new Uint8Array(HEADER_SIZE);
  const v = new DataView(b.buffer);
  v.setUint16(0, h.format, true);
  v.setUint8(2, h.format % 100); // gameYear
  v.setUint8(3, 1); // gameMajorVersion
  v.setUint8(4, 2); // gameMinorVersion
  v.setUint8(5, 1); // packetVersion
  v.setUint8(6, h.packetId);
  v.setBigUint64(7, 0x1234_5678_9abc_def0n, true); // sessionUID
  v.setFloat32(15, h.sessionTime, true);
  v.setUint32(19, h.frame >>> 0, true);
  v.setUint32(23, h.frame >>> 0, true);
  v.setUint8(27, 0); // playerCarIndex
  v.setUint8(28, 255); // no second player
  return b;
}

/** Whole-packet size of a packet id in a format; other packets get a plausible size. */
function packetSize(format: PacketFormat, packetId: number): number {
  const L = LAYOUTS[format];
  switch (packetId) {
    case PacketId.motion:
      return L.motion;
    case PacketId.lapData:
      return L.lapData;
    case PacketId.carTelemetry:
      return L.telemetry;
    case PacketId.participants:
      return L.participants;
    default:
      return HEADER_SIZE + 16;
  }
}

/** A body of floats that look like positions and speeds, and small bytes. */
function body(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(Math.max(0, size - HEADER_SIZE));
  const v = new DataView(b.buffer);
  for (let o = 0; o + 4 <= b.length; o += 4) v.setFloat32(o, Math.sin(o + seed) * 500, true);
  if (b.length > 0) b[0] = 20; // numActiveCars of a participants packet
  return b;
}

function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const format of SUPPORTED_FORMATS) {
    for (const packetId of [PacketId.motion, PacketId.lapData, PacketId.carTelemetry, PacketId.participants, PacketId.event]) {
      out.push(concat(header({ format, packetId, sessionTime: 812.5, frame: 20_000 }), body(packetSize(format, packetId), packetId)));
    }
  }
  return out;
}

const generated: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SUPPORTED_FORMATS) }, { weight: 1, arbitrary: fc.constantFrom(2022, 0, 0xffff) }),
    fc.oneof(fc.constantFrom(...Object.values(PacketId)), fc.integer({ min: 0, max: 255 })),
    fc.oneof(fc.constantFrom(0, 1e7, 1e7 + 1, -1), hostileNumber),
    fc.nat(),
    fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) }),
    fc.array(fc.tuple(fc.nat(), hostileNumber), { maxLength: 8 }),
    fc.nat(),
  )
  .map(([format, packetId, sessionTime, frame, sizeDelta, floats, seed]) => {
    const known = (SUPPORTED_FORMATS as readonly number[]).includes(format) ? (format as PacketFormat) : 2024;
    const size = Math.min(MAX_PACKET_BYTES + 8, Math.max(0, packetSize(known, packetId) + sizeDelta));
    const b = concat(header({ format, packetId, sessionTime, frame }), body(size, seed)).subarray(0, size);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    // Hostile floats at 4-byte positions in the cars' arrays.
    for (const [at, value] of floats) if (b.length >= HEADER_SIZE + 4) v.setFloat32(HEADER_SIZE + ((at * 4) % (b.length - HEADER_SIZE - 3)), value, true);
    return b;
  });

export const f1Udp: FuzzTarget = {
  name: 'f1-udp',
  what: 'decodePacket of apps/replay on one F1 23–25 UDP telemetry datagram',
  seeds,
  generate: () => generated,
  decode(input) {
    const r = decodePacket(input);
    if (r.ok !== true && r.ok !== false) throw new ContractViolation(`result has no ok flag`);
    if (!r.ok && !(DROP_REASONS as readonly string[]).includes(r.reason)) throw new ContractViolation(`unknown drop reason ${String(r.reason)}`);
    return r;
  },
  // "Never throws" (f1-udp.ts): no error is documented.
  documented: () => false,
};
