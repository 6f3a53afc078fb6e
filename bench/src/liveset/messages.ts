// What the liveset bench and its client runner say to each other over IPC.

/** Parameter values sent by the bench are seq / SEQ_SCALE: exact in float32 for seq < 2^24. */
export const SEQ_SCALE = 2 ** 24;

export type RunnerCommand =
  /** Loads from both servers in alternating (ABBA) order, `runs` each, after a warm-up. */
  | { cmd: 'loadPair'; baselineUrl: string; tidewireUrl: string; runs: number }
  | { cmd: 'connect'; url: string; clients: number }
  | { cmd: 'reset' }
  | { cmd: 'report'; sendAt: number[]; expected?: [string, number][] }
  | { cmd: 'exit' };

export interface LoadReport {
  ms: number[];
  nodes: number;
  /** Tidewire only: the client's snapshot decode + validation + tree build, per run. */
  decodeMs?: number[];
}

export interface LoadPairReport {
  baseline: LoadReport;
  tidewire: LoadReport;
}

export interface RunnerReport {
  /** OSC send -> this client's replica, ms, every observed value on every client. */
  latencies: number[];
  /** Frames each client received since the last reset. */
  frames: number[];
  /** Parameters whose final value at a client is not the last one sent, summed over clients. */
  mismatches: number;
}
