// Views between Node Buffers and plain Uint8Arrays over the same memory (no copy). Stored bytes
// are kept as plain Uint8Arrays so `slice()` means a copy everywhere; HTTP replies want Buffers.

export function asUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
