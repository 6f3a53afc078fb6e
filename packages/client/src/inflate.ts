// deflate-raw snapshot bodies (docs/protocol.md §4.6, encoding 1). Browsers, workers and
// Node ≥ 18 all have DecompressionStream, so the client needs no zlib of its own. Output is
// counted while it streams: a body that inflates past the cap stops there (a small frame
// must not be able to claim gigabytes of memory).
import { ClientError } from './errors.ts';

export type Inflate = (body: Uint8Array, maxBytes: number) => Promise<Uint8Array>;

export const inflateRaw: Inflate = async (body, maxBytes) => {
  if (typeof DecompressionStream !== 'function') {
    throw new ClientError('TW_BAD_FRAME', 'a deflate-raw snapshot arrived but this runtime has no DecompressionStream (pass the `inflate` option)');
  }
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  // Errors surface on the reader; these promises only need a handler.
  writer.write(body as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = ds.readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        void reader.cancel().catch(() => {});
        throw new ClientError('TW_BAD_FRAME', `snapshot inflates past maxSnapshotBytes ${maxBytes}`);
      }
      parts.push(value);
    }
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw new ClientError('TW_BAD_FRAME', `snapshot body is not valid deflate-raw: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
};
