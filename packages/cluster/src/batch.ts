// The batch and pub messages of docs/cluster.md §3, one function per record.
import { ByteReader, type ReadFailure } from '@tidewire/base';
import { unpack } from '@tidewire/protocol';
import type { Op } from '@tidewire/tree';
import { ClusterError } from './errors.ts';

export interface DecodedBatch {
  epoch: number;
  offset: number;
  /** The batch bytes as stored (forwarded unchanged behind each node's own OPS prefix). */
  batch: Uint8Array;
  ops: Op[];
}

export interface PubMessage {
  hash: string;
  batch: Uint8Array;
}

const badData: ReadFailure = (_code, message, offset) => new ClusterError('TW_CLUSTER_BAD_DATA', `${message} at byte ${offset}`);
const ascii = new TextDecoder('latin1');

/** batch := varuint(epoch) • varuint(offset) • msgpack(op[]) */
export function decodeBatch(batch: Uint8Array): DecodedBatch {
  const r = new ByteReader(batch, { fail: badData });
  const epoch = r.varuint('batch epoch');
  const offset = r.varuint('batch offset');
  let ops: unknown;
  try {
    ops = unpack(batch.subarray(r.pos), 'batch ops');
  } catch (err) {
    throw new ClusterError('TW_CLUSTER_BAD_DATA', `batch ${epoch}/${offset}: ops do not decode`, { cause: err });
  }
  if (!Array.isArray(ops)) throw new ClusterError('TW_CLUSTER_BAD_DATA', `batch ${epoch}/${offset}: ops must be an array`);
  return { epoch, offset, batch, ops: ops as Op[] };
}

/** pub := varuint(len(hash)) • hash • batch (built by the append script, §4). */
export function decodePub(message: Uint8Array): PubMessage {
  const r = new ByteReader(message, { fail: badData });
  const length = r.varuint('pub hash length');
  const hash = ascii.decode(r.bytes(length, 'pub hash'));
  return { hash, batch: message.subarray(r.pos) };
}
