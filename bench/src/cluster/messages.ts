// IPC between the cluster suite and its node and client processes (docs/cluster.md §10).

export type NodeMode = 'tw-single' | 'tw-owner' | 'tw-edge' | 'sio-origin' | 'sio-edge';

export interface NodeReady {
  port: number;
  pid: number;
}

export type NodeCommand = { cmd: 'storm'; rate: number; seconds: number } | { cmd: 'rss' } | { cmd: 'exit' };

export interface StormDone {
  /** The first and last change number sent (change i sets node n<i % 100> to { s: i }). */
  first: number;
  last: number;
  seconds: number;
}

export type ClientKind = 'tidewire' | 'socketio';

export type ClientCommand =
  /** Opens `count` clients, spread round-robin over `urls`; each reconnects to the next URL when its server goes. */
  | { cmd: 'open'; kind: ClientKind; urls: string[]; count: number }
  /** Zeroes the latency histogram and the message and byte counts. */
  | { cmd: 'measure' }
  /** The counts since 'measure'. */
  | { cmd: 'report' }
  /** Changes the clients never saw the effect of, given the last change number per node. */
  | { cmd: 'lost'; lastPerNode: number[] }
  /** Recovery of the clients whose server died since 'open' or the last 'recovery'. */
  | { cmd: 'recovery' }
  | { cmd: 'close' }
  | { cmd: 'exit' };

export interface ClientReport {
  clients: number;
  connected: number;
  messages: number;
  bytes: number;
  seconds: number;
  latency: [number, number][];
  errors: number;
  firstErrors: string[];
  /** Event-loop utilisation of the client process over the window (1 = saturated). */
  loopUtilization: number;
}

export interface RecoveryReport {
  /** Clients that lost their server and reconnected elsewhere. */
  moved: number;
  /** Of those, clients back to live changes (a change under 100 ms old) on another node. */
  converged: number;
  /** From the first close to the last of them converged (ms). */
  maxMs: number;
  /** Snapshots those clients received after they reconnected. */
  snapshots: number;
}
