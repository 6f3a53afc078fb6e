// Target als-gzip (docs/fuzzing.md §2.10): a whole .als file as it comes off disk → parseAls.
// The generator varies the gzip layer around small Live Set documents: header flags and fields
// (FEXTRA, FNAME, FCOMMENT, FHCRC), several members, bytes after the trailer, a wrong CRC or
// size, a small bomb past the fuzzing cap.
import { gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import type { FuzzTarget } from '../target.ts';
import { concat } from './common.ts';
import { ALS_OPTIONS, documentedAls, fixtureGzips, readSet, xmlLike } from './als-common.ts';

let bomb: Uint8Array = new Uint8Array(0);

function seeds(): Uint8Array[] {
  // 16 MiB of one attribute value inflating from ~16 KB: past the fuzzing cap of 8 MiB.
  bomb = gzipSync(Buffer.concat([Buffer.from('<?xml version="1.0"?><Ableton><LiveSet><X Value="'), Buffer.alloc(2 * ALS_OPTIONS.maxXmlBytes, 'a')]), {
    level: 9,
  });
  return [...fixtureGzips(), Uint8Array.of(0x1f), new Uint8Array(0)];
}

/** Rewrites a gzip member's header (RFC 1952 §2.3) with optional fields, keeping its deflate data. */
function withHeader(member: Uint8Array, flags: number, extra: Uint8Array, fname: string, comment: string): Uint8Array {
  const fixed = member.slice(0, 10);
  fixed[3] = flags;
  const parts: (Uint8Array | number[])[] = [fixed];
  if (flags & 4) parts.push([extra.length & 0xff, extra.length >> 8], extra);
  if (flags & 8) parts.push(new TextEncoder().encode(fname), [0]);
  if (flags & 16) parts.push(new TextEncoder().encode(comment), [0]);
  if (flags & 2) parts.push([0x12, 0x34]); // a header CRC16, usually wrong
  parts.push(member.subarray(10));
  return concat(...parts);
}

const generated: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.array(xmlLike, { minLength: 1, maxLength: 2 }),
    fc.integer({ min: 0, max: 255 }),
    fc.uint8Array({ maxLength: 32 }),
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('none', 'junk', 'crc', 'size', 'cut', 'bomb'),
    fc.uint8Array({ minLength: 1, maxLength: 16 }),
  )
  .map(([docs, flags, extra, fname, comment, damage, junk]) => {
    const members = docs.map((xml, i) => {
      const m = gzipSync(xml, { level: 1 });
      return i === 0 ? withHeader(m, flags, extra, fname, comment) : m;
    });
    let file = concat(...members);
    const view = new DataView(file.buffer);
    switch (damage) {
      case 'junk':
        file = concat(file, junk);
        break;
      case 'crc':
        view.setUint32(file.length - 8, view.getUint32(file.length - 8, true) ^ 1, true);
        break;
      case 'size':
        view.setUint32(file.length - 4, view.getUint32(file.length - 4, true) + 1, true);
        break;
      case 'cut':
        file = file.subarray(0, Math.max(0, file.length - 1 - junk[0]!));
        break;
      case 'bomb':
        file = bomb;
        break;
    }
    return file;
  });

export const alsGzip: FuzzTarget = {
  name: 'als-gzip',
  what: 'parseAls of apps/liveset on one gzip-compressed .als file',
  async: true,
  seeds,
  generate: () => generated,
  decode: readSet,
  documented: documentedAls,
};
