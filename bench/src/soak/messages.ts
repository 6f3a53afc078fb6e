// IPC between the soak suite and its client processes (bench/src/soak/client-runner.ts).
import type { Position } from '@tidewire/protocol';
import type { TimelineSchema } from '@tidewire/timeline';

/** The kinds of soak client and how many of each one runner hosts. */
export interface ClientMix {
  /** Mirror one tree channel and read everything as it comes. */
  mirror: number;
  /** Mirror one tree channel, but stop reading the socket for seconds at a time. */
  slow: number;
  /** Mirror one tree channel for a few seconds, disconnect (some abruptly), reconnect. */
  churn: number;
  /** Play the race replay and seek it to a random frame every few seconds. */
  replay: number;
}

export const CLIENT_KINDS = ['mirror', 'slow', 'churn', 'replay'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export interface StartCommand {
  cmd: 'start';
  url: string;
  /** Tree channels the mirroring kinds spread over (client i mirrors channels[i % length]). */
  channels: string[];
  mix: ClientMix;
  seed: number;
  /** Loopback source addresses 127.0.0.<first>… are used round-robin (the server caps connections per address). */
  firstAddress: number;
  addresses: number;
  replay: { channel: string; schema: TimelineSchema; frameCount: number };
  /** Connections opened at once while ramping up. */
  openBatch: number;
}

/** A server version to check mirrors against: the channel's root hash at one position. */
export interface Target extends Position {
  hash: string;
}

export type RunnerCommand =
  | StartCommand
  /** Stop the load: slow readers resume, churners reconnect and stay, viewers close. */
  | { cmd: 'stop' }
  /** Mirrors start keeping their root hash at the last few positions they reach. */
  | { cmd: 'record' }
  /** Compare mirrors not yet verified with the server's version of their channel (each takes its hash there). */
  | { cmd: 'check'; targets: Record<string, Target>; timeoutMs: number }
  | { cmd: 'report' }
  /** This process's longest event-loop delay since the last 'lag' (ms, with the 10 ms resolution). */
  | { cmd: 'lag' }
  /** Close every connection gracefully. */
  | { cmd: 'close' }
  | { cmd: 'exit' };

export interface CheckReply {
  /** Mirrors whose hash at the target equals the server's (cumulative over rounds). */
  verified: number;
  mismatched: number;
  /** Mirrors past the target without having stood there (retried with a newer target). */
  missed: number;
  /** Mirrors that did not reach the target in time. */
  pending: number;
  /** Mirrors per channel still unverified (their channel needs a newer target). */
  unverifiedChannels: string[];
  firstMismatch?: string;
}

export interface RunnerReport {
  clients: Record<ClientKind, number>;
  errors: number;
  firstErrors: string[];
  snapshots: number;
  opsApplied: number;
  slowResyncs: number;
  reconnects: number;
  pauses: number;
  replayFrames: number;
  seeks: number;
  seeksAcked: number;
  /** The longest event-loop delay in this client process since it started (ms, with the 10 ms resolution). */
  lagMaxMs: number;
}
