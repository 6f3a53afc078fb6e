// IPC between the timeline suite (parent), its server process and its viewer processes.
import type { SparseHistogram } from './lateness.ts';

export type SystemName = 'baseline' | 'tidewire-ws' | 'tidewire-http';

export type ServerCommand = { cmd: 'start' } | { cmd: 'cpu' } | { cmd: 'exit' };

export interface ServerStarted {
  url: string;
  loadMs: number;
}

export interface ServerCpu {
  /** process.cpuUsage() of the server process, µs. */
  user: number;
  system: number;
  /** Counters of the system under test (frames and bytes it handed to sockets, …). */
  stats: Record<string, number>;
}

export type ViewerCommand =
  | { cmd: 'open'; system: SystemName; url: string; file: string; count: number; seed: number; maxStartFrame: number }
  | { cmd: 'mark' }
  | { cmd: 'report' }
  | { cmd: 'close' }
  | { cmd: 'exit' };

export interface ViewerReport {
  streams: number;
  windowMs: number;
  /** Lateness of the window's frames, ms (server-paced systems). */
  lateness: SparseHistogram;
  /** Frames received in the window, and frames the server skipped (gaps within a stream). */
  frames: number;
  missed: number;
  /** Wire bytes of the window, all the process's sockets: down (to viewers) and up. */
  bytesDown: number;
  bytesUp: number;
  /** Client-paced: playhead stalls (segment not there when due) in the window, segments fetched. */
  underruns: number;
  segments: number;
  /** CPU of this viewer process over the window, µs. */
  cpuUser: number;
  cpuSystem: number;
  errors: number;
  firstError?: string;
  /** Sampled frames compared with the file, and how many differed. */
  checks: number;
  mismatches: number;
  firstMismatch?: string;
}
