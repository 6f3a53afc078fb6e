import type { NodeSnapshot } from '@tidewire/tree';

export type SystemName = 'baseline' | 'yjs' | 'tidewire';

export interface BenchServer {
  url: string;
  setAttr(id: string, attr: string, value: number): void;
  getAttr(id: string, attr: string): unknown;
  close(): Promise<void>;
}

export type ChangeListener = (id: string, attr: string, value: unknown) => void;

export interface BenchClient {
  /** Messages and bytes received since connecting (the snapshot included). */
  stats: { messages: number; bytes: number };
  getAttr(id: string, attr: string): unknown;
  close(): void;
}

export interface SnapshotCodec {
  /** Bytes of the initial snapshot message. */
  encode(root: NodeSnapshot): Uint8Array | string;
  /** What a client does with it before its store can answer get(id). */
  decodeApply(message: Uint8Array | string): unknown;
}
