// A stand-in for an owning app in the cluster tests: a Tree changed by random ops, published as
// OPS frames in batches, with a ChannelOwner appending them to a real Redis.
import { deflateRawSync } from 'node:zlib';
import { encodeOps, encodeSnapshotBody, pack } from '@tidewire/protocol';
import type { Prng } from '@tidewire/random';
import { toColumns, Tree, type Op } from '@tidewire/tree';
import { IdPool, applyTracked, randomOp, randomSnapshot, counterIds } from '@tidewire/tree/testing';
import { Redis } from 'ioredis';
import type { StoredSnapshot } from '../src/index.ts';

/** The snapshot a server stores for `tree` at `position` (docs/protocol.md §4.6 body, deflated). */
export function storedSnapshot(tree: Tree, epoch: number, offset: number): StoredSnapshot {
  const msgpack = encodeSnapshotBody(toColumns(tree, pack));
  const z = deflateRawSync(msgpack);
  const deflated = z.length < msgpack.length;
  return { epoch, offset, nodes: tree.size, hash: tree.rootHash, encoding: deflated ? 1 : 0, body: deflated ? new Uint8Array(z) : msgpack };
}

/** The owning app: its tree, its position and the next batch of random ops. */
export class RandomApp {
  readonly tree: Tree;
  epoch: number;
  offset = 0;
  readonly #pool = new IdPool('x');

  constructor(
    readonly rng: Prng,
    nodes = 50,
    epoch = 1000 + rng.int(1_000_000),
  ) {
    this.tree = new Tree(randomSnapshot(rng, nodes, counterIds('n')));
    this.epoch = epoch;
  }

  snapshot(): StoredSnapshot {
    return storedSnapshot(this.tree, this.epoch, this.offset);
  }

  /** Applies `count` random ops as one batch; returns its OPS frame (channel id 7), position and hash. */
  batch(count: number): { frame: Uint8Array; position: { epoch: number; offset: number }; hash: string; ops: Op[] } {
    const ops: Op[] = [];
    for (let i = 0; i < count; i++) {
      const op = randomOp(this.rng, this.tree, this.#pool);
      applyTracked(this.tree, op, this.#pool);
      ops.push(op);
    }
    this.offset++;
    const position = { epoch: this.epoch, offset: this.offset };
    return { frame: encodeOps(7, position, ops), position, hash: this.tree.rootHash, ops };
  }
}

/** ioredis connections a test closes at the end; commands fail fast instead of queueing forever. */
export function connections(url: string): { open(options?: { commandTimeout?: number }): Redis; closeAll(): void } {
  const open: Redis[] = [];
  return {
    open(options = {}) {
      const r = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: false, ...options });
      r.on('error', () => undefined); // reconnects are the point of some tests; failures surface as rejected commands
      open.push(r);
      return r;
    },
    closeAll() {
      for (const r of open) r.disconnect();
    },
  };
}

/** Resolves when `check` holds, polling every 20 ms; fails naming `what` after `ms`. */
export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
