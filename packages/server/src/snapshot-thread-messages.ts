// Messages between the server and its snapshot thread (docs/server.md §4.2). Types only.
import type { SnapshotEncodingCode } from '@tidewire/protocol';
import type { NodeSnapshot } from '@tidewire/tree';

export interface CompressionSettings {
  /** Bodies at least this large are deflate-raw compressed. */
  minBytes: number;
  level: number;
}

/** Server → thread. */
export type ToSnapshotThread =
  /** A channel's history starts (new channel, reset): the thread builds its own copy of the tree. */
  | { kind: 'start'; channel: number; root: NodeSnapshot }
  /** One OPS frame the channel published, in order. */
  | { kind: 'ops'; channel: number; frame: Uint8Array }
  /** Encode the channel's tree as it stands after every message before this one. */
  | { kind: 'encode'; channel: number; request: number; compression: CompressionSettings }
  | { kind: 'drop'; channel: number };

/** Thread → server. */
export type FromSnapshotThread =
  | {
      kind: 'encoded';
      request: number;
      nodeCount: number;
      rootHash: string;
      /** msgpack of the columnar snapshot (the HTTP body). */
      msgpack: Uint8Array;
      encoding: SnapshotEncodingCode;
      /** What the SNAPSHOT frames carry: msgpack itself, or deflate-raw of it. */
      body: Uint8Array;
    }
  /** The thread's copy of a channel could not follow (an op failed, a start was invalid): the
   *  channel is encoded on the event loop from now on. Requests for it answer `failed`. */
  | { kind: 'channelFailed'; channel: number; message: string }
  | { kind: 'failed'; request: number; message: string };
