// CRC-32 (ISO-HDLC: the one in gzip, PNG and zlib's crc32) — reflected polynomial 0xEDB88320,
// initial value and final xor 0xFFFFFFFF. Slicing-by-4 tables: four table lookups per 4 bytes
// instead of one per byte, about 3× faster in V8 than the byte-wise loop, and isomorphic.

const T0 = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const T1 = T0.map((t) => T0[t & 0xff] ^ (t >>> 8));
const T2 = T1.map((t) => T0[t & 0xff] ^ (t >>> 8));
const T3 = T2.map((t) => T0[t & 0xff] ^ (t >>> 8));

/** Continues a CRC over bytes[start, end); start a new CRC with crc = 0. Returns an unsigned 32-bit value. */
export function crc32(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  let c = ~crc;
  let i = start;
  const stop = end - ((end - start) & 3); // 4-byte steps up to here, then byte by byte
  // Stryker disable next-line ConditionalExpression: the byte loop below finishes whatever this loop leaves, with the same CRC; the 4-byte steps are only faster
  for (; i < stop; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = T3[c & 0xff] ^ T2[(c >>> 8) & 0xff] ^ T1[(c >>> 16) & 0xff] ^ T0[c >>> 24];
  }
  for (; i < end; i++) c = T0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
