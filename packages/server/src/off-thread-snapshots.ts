// The server's side of the snapshot thread (docs/server.md §4.2). Tree channels tell it where
// each history starts and every OPS frame they publish; a snapshot of a large tree is then
// encoded on the thread's copy, and the SnapshotEntry finishes when the answer comes back.
// The thread's root hash must equal the channel's: a copy that drifted is a bug, reported once,
// and that channel is encoded on the event loop from then on (as is every channel if the thread
// itself dies). Nothing waits forever: a failed request fails its entry, and whoever waits for
// it starts over with an encode on the event loop.
import { Worker } from 'node:worker_threads';
import type { NodeSnapshot } from '@tidewire/tree';
import type { SnapshotEntry } from './snapshot.ts';
import type { CompressionSettings, FromSnapshotThread, ToSnapshotThread } from './snapshot-thread-messages.ts';

const ENTRY = new URL('./snapshot-thread-entry.mjs', import.meta.url);

/** Trees smaller than this are encoded on the event loop: a round trip would cost more. */
export const OFF_THREAD_MIN_NODES = 2000;

export type ThreadFailure = (err: Error, context: Record<string, unknown>) => void;

const enum ThreadState {
  Running,
  /** Died or failed to start: every channel encodes on the event loop. */
  Failed,
  Closed,
}

interface Request {
  readonly entry: SnapshotEntry;
  readonly chunkBytes: number;
}

export class OffThreadSnapshots {
  private worker: Worker | undefined;
  private state = ThreadState.Running;
  private readonly requests = new Map<number, Request>();
  private nextRequest = 1;
  /** Channels the thread has a copy of (started and not failed or dropped). */
  private readonly followed = new Set<number>();
  private readonly onFailure: ThreadFailure;
  /** Snapshots encoded on the thread, and failures (for tests and metrics). */
  encoded = 0;
  failures = 0;

  constructor(onFailure: ThreadFailure) {
    this.onFailure = onFailure;
  }

  /** The thread follows `channel` from `root` (a new channel, or a reset: a new history). */
  start(channel: number, root: NodeSnapshot): void {
    if (this.state !== ThreadState.Running) return;
    this.followed.add(channel);
    this.post({ kind: 'start', channel, root });
  }

  /** One OPS frame `channel` published (frames must come in order, every one of them). */
  ops(channel: number, frame: Uint8Array): void {
    if (this.state === ThreadState.Running && this.followed.has(channel)) this.post({ kind: 'ops', channel, frame });
  }

  drop(channel: number): void {
    if (!this.followed.delete(channel)) return;
    this.post({ kind: 'drop', channel });
  }

  /**
   * Asks the thread to encode `channel` as it stands after every frame given so far and to
   * finish `entry` with the result. False: the thread does not follow the channel (the caller
   * encodes on the event loop).
   */
  encode(channel: number, entry: SnapshotEntry, compression: CompressionSettings, chunkBytes: number): boolean {
    if (this.state !== ThreadState.Running || !this.followed.has(channel)) return false;
    const request = this.nextRequest++;
    this.requests.set(request, { entry, chunkBytes });
    this.post({ kind: 'encode', channel, request, compression });
    return true;
  }

  get pending(): number {
    return this.requests.size;
  }

  async close(): Promise<void> {
    if (this.state === ThreadState.Closed) return;
    this.state = ThreadState.Closed;
    this.failAll();
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) await w.terminate();
  }

  private post(m: ToSnapshotThread): void {
    this.thread().postMessage(m);
  }

  private thread(): Worker {
    if (this.worker !== undefined) return this.worker;
    const w = new Worker(ENTRY);
    // The server's process must be free to exit while the thread idles.
    w.unref();
    w.on('message', (m: FromSnapshotThread) => this.receive(m));
    w.on('error', (err) => this.threadFailed(err));
    w.on('exit', (code) => {
      if (this.state === ThreadState.Running) this.threadFailed(new Error(`the snapshot thread exited with code ${code}`));
    });
    this.worker = w;
    return w;
  }

  private receive(m: FromSnapshotThread): void {
    switch (m.kind) {
      case 'encoded': {
        const r = this.take(m.request);
        if (r === undefined) return;
        if (m.rootHash !== r.entry.rootHash) {
          // The copy drifted from the channel: never send it. The channel encodes on the loop.
          this.channelFailed(r.entry.channel, `root hash ${m.rootHash} on the thread, ${r.entry.rootHash} on the channel at offset ${r.entry.offset}`);
          r.entry.fail();
          return;
        }
        this.encoded++;
        r.entry.finish(m.encoding, m.body, r.chunkBytes, m.msgpack);
        return;
      }
      case 'failed':
        this.take(m.request)?.entry.fail();
        return;
      case 'channelFailed':
        this.channelFailed(m.channel, m.message);
        return;
    }
  }

  private take(request: number): Request | undefined {
    const r = this.requests.get(request);
    this.requests.delete(request);
    return r;
  }

  private channelFailed(channel: number, message: string): void {
    if (!this.followed.delete(channel)) return;
    this.failures++;
    this.post({ kind: 'drop', channel });
    this.onFailure(new Error(`snapshot thread: channel ${channel}: ${message}`), { channel });
  }

  private threadFailed(err: Error): void {
    if (this.state !== ThreadState.Running) return;
    this.state = ThreadState.Failed;
    this.failures++;
    this.followed.clear();
    this.worker = undefined;
    this.onFailure(err, {});
    this.failAll();
  }

  private failAll(): void {
    const pending = [...this.requests.values()];
    this.requests.clear();
    for (const r of pending) r.entry.fail();
  }
}
