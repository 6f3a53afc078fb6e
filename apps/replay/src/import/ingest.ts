// mountReplayIngest (docs/replay-import.md §3): F1 game UDP telemetry → a live replay timeline
// on a Tidewire server. Datagrams come from a UDP socket (127.0.0.1:20777 by default) and/or a
// capture file; each is decoded with bounds checks, bad ones are counted by reason and dropped,
// good ones update the LiveRace, whose 25 Hz frames are appended to the server's live timeline
// (recorded in segments as it goes, so viewers can scrub back). `record` writes every datagram
// that arrives over UDP to a capture file.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { TidewireServer, TimelineChannel } from '@tidewire/server';
import type { EntityDef, TimelineSchema } from '@tidewire/timeline';
import { FIELDS } from '../generate/render.ts';
import { teamColor, teamName } from '../generate/teams.ts';
import { CaptureWriter, readCapture, type CaptureInfo } from './capture.ts';
import { DEFAULT_RATE_HZ, importedStatic, paletteColor } from './common.ts';
import { ImportError } from './errors.ts';
import { decodePacket, MAX_CARS, PACKET_NAMES, SUPPORTED_FORMATS, type DropReason, type Participant } from './f1-udp.ts';
import { registerIngestMetrics, type IngestCounters } from './ingest-metrics.ts';
import { LiveRace } from './live-race.ts';
import { TimelineFileRecorder } from './timeline-file.ts';

export const DEFAULT_UDP_PORT = 20777;
export const DEFAULT_CHANNEL = 'live';

export interface ReplayIngestOptions {
  /** Name of the live timeline channel to create; default "live". */
  channel?: string;
  /** UDP port to listen on (0: any free port); null: no socket. Default 20777, or null with `fromCapture`. */
  udpPort?: number | null;
  /** Interface to bind; default 127.0.0.1 (the game on this machine). */
  host?: string;
  /** Write every datagram received over UDP to this capture file. */
  record?: string;
  /** Write the live timeline to this segment file as it is recorded (§3.7). */
  recordTimeline?: string;
  /** Replay this capture file into the pipeline. */
  fromCapture?: string;
  /** Replay the capture as fast as possible instead of at its recorded pace. */
  fast?: boolean;
  /** Shown as the session name; default "F1 game session". */
  name?: string;
  rateHz?: number;
  /** Frames per segment of the live timeline; default 2 s of frames. */
  keyframeInterval?: number;
  /** Called for problems that do not stop the ingest (a socket error, a frame the timeline refused). */
  onWarning?: (message: string) => void;
}

export interface IngestStats {
  /** Datagrams seen (UDP and capture). */
  received: number;
  accepted: number;
  bytes: number;
  /** Accepted datagrams by packet name (motion, lap-data, car-telemetry, participants, session, …). */
  packets: Record<string, number>;
  dropped: Partial<Record<DropReason, number>>;
  frames: number;
  /** Frames the timeline refused (counted, skipped). */
  appendErrors: number;
  clockRewinds: number;
  /** The session this ingest follows (sessionUID in hex), once known. */
  session: string | null;
  recorded: number;
  recordDropped: number;
  /** The live timeline file (§3.7): segments and bytes written, and the code that stopped it; null without one. */
  timelineFile: { segments: number; bytes: number; error: string | null } | null;
}

export interface CaptureReplayResult {
  records: number;
  truncatedTail: boolean;
}

export interface ReplayIngest {
  readonly channel: TimelineChannel;
  /** The channel's name (what a viewer subscribes to). */
  readonly timeline: string;
  /** One line for a console: what is being ingested, from where. */
  readonly title: string;
  /** The bound UDP port, or undefined without a socket. */
  readonly udpPort: number | undefined;
  /** The bound UDP address, or null without a socket. */
  readonly udpAddress: { address: string; port: number } | null;
  readonly stats: IngestStats;
  /** The latest Participants packet's cars (names, numbers, teams), or null. */
  readonly participants: readonly Participant[] | null;
  /** Settles when the capture replay finishes (null without `fromCapture`). */
  readonly captureDone: Promise<CaptureReplayResult> | null;
  /** Feeds one datagram into the pipeline, as if it had arrived by UDP (not recorded). */
  handleDatagram(bytes: Uint8Array): void;
  /** Resolves once `count` datagrams have been handled in total. */
  whenReceived(count: number): Promise<void>;
  /**
   * Stops the socket and the capture replay, closes the recording, ends the live timeline
   * (viewers keep the recorded part) and resolves its complete segment file. Idempotent.
   */
  close(): Promise<Uint8Array>;
}

/** F1 23–25 team ids 0–9 (the game's appendix), as the generator's constructor ids (2024 names and colours). */
const TEAM_IDS = ['mercedes', 'ferrari', 'red-bull', 'williams', 'aston-martin', 'alpine', 'rb', 'haas', 'mclaren', 'kick-sauber'];

function liveEntities(participants: { numActiveCars: number; cars: Participant[] } | null): EntityDef[] {
  const cars = participants?.cars ?? [];
  const numbers = cars.slice(0, participants?.numActiveCars ?? 0).map((c) => c.raceNumber);
  const uniqueNumbers = numbers.every((n) => n > 0) && new Set(numbers).size === numbers.length;
  const out: EntityDef[] = [];
  for (let i = 0; i < MAX_CARS; i++) {
    const p = participants && i < participants.numActiveCars ? cars[i] : undefined;
    const constructorId = p !== undefined ? TEAM_IDS[p.teamId] : undefined;
    const e: EntityDef = {
      id: p !== undefined && uniqueNumbers ? String(p.raceNumber) : `slot${i}`,
      name: p?.name || `Car ${i + 1}`,
      code: p?.name
        ? p.name
            .replace(/[^\p{L}]/gu, '')
            .slice(0, 3)
            .toUpperCase() || `C${i + 1}`
        : `C${String(i + 1).padStart(2, '0')}`,
      team: constructorId ? teamName(constructorId) : '',
      color: constructorId ? teamColor(constructorId) : paletteColor(i),
      slot: i,
    };
    if (p !== undefined && p.raceNumber > 0) e.number = p.raceNumber;
    out.push(e);
  }
  return out;
}

function liveSchema(
  name: string,
  rateHz: number,
  participants: { numActiveCars: number; cars: Participant[] } | null,
  capture: string | undefined,
): TimelineSchema {
  return {
    name: 'f1-udp-live',
    rateHz,
    fields: FIELDS,
    entities: liveEntities(participants),
    static: importedStatic({
      race: { name },
      // The UDP feed has no track geometry: viewers draw the cars' positions only.
      track: { points: [], source: 'none' },
      source: {
        kind: 'f1-udp',
        packetFormats: [...SUPPORTED_FORMATS],
        coordinates: "x = worldPositionX, y = worldPositionZ (m, the game's track plane)",
        entities: 'one per car slot (vehicle index 0–21)',
        ...(capture !== undefined ? { capture } : {}),
      },
    }),
  };
}

/** The first Participants packet of a capture (within its first 20,000 records), for names in the schema. */
async function scanParticipants(path: string): Promise<{ numActiveCars: number; cars: Participant[] } | null> {
  let n = 0;
  for await (const r of readCapture(path)) {
    const d = decodePacket(r.datagram);
    if (d.ok && d.packet.kind === 'participants') return { numActiveCars: d.packet.numActiveCars, cars: d.packet.cars };
    if (++n >= 20_000) break;
  }
  return null;
}

function checkOptions(o: ReplayIngestOptions): void {
  if (o === null || typeof o !== 'object') throw new ImportError('IMPORT_BAD_OPTION', 'options must be an object');
  if (o.channel !== undefined && (typeof o.channel !== 'string' || o.channel.length === 0))
    throw new ImportError('IMPORT_BAD_OPTION', 'channel must be a non-empty string');
  if (o.udpPort !== undefined && o.udpPort !== null && !(Number.isInteger(o.udpPort) && o.udpPort >= 0 && o.udpPort <= 65535))
    throw new ImportError('IMPORT_BAD_OPTION', `udpPort must be an integer in 0..65535, got ${String(o.udpPort)}`);
  if (o.host !== undefined && (typeof o.host !== 'string' || isIP(o.host) === 0))
    throw new ImportError('IMPORT_BAD_OPTION', `host must be an IP address, got ${String(o.host)}`);
  if (o.rateHz !== undefined && !(Number.isInteger(o.rateHz) && o.rateHz >= 1 && o.rateHz <= 100))
    throw new ImportError('IMPORT_BAD_OPTION', `rateHz must be an integer in 1..100, got ${String(o.rateHz)}`);
  if (o.record !== undefined && (typeof o.record !== 'string' || o.record.length === 0))
    throw new ImportError('IMPORT_BAD_OPTION', 'record must be a file path');
  if (o.fromCapture !== undefined && (typeof o.fromCapture !== 'string' || o.fromCapture.length === 0))
    throw new ImportError('IMPORT_BAD_OPTION', 'fromCapture must be a file path');
  if (o.record !== undefined && o.record === o.fromCapture) throw new ImportError('IMPORT_BAD_OPTION', 'record and fromCapture must be different files');
  if (o.recordTimeline !== undefined && (typeof o.recordTimeline !== 'string' || o.recordTimeline.length === 0))
    throw new ImportError('IMPORT_BAD_OPTION', 'recordTimeline must be a file path');
  if (o.recordTimeline !== undefined && (o.recordTimeline === o.record || o.recordTimeline === o.fromCapture))
    throw new ImportError('IMPORT_BAD_OPTION', 'recordTimeline must be a file of its own');
  const port = o.udpPort === undefined ? (o.fromCapture === undefined ? DEFAULT_UDP_PORT : null) : o.udpPort;
  if (port === null && o.fromCapture === undefined) throw new ImportError('IMPORT_BAD_OPTION', 'nothing to ingest: give udpPort or fromCapture');
  if (port === null && o.record !== undefined) throw new ImportError('IMPORT_BAD_OPTION', 'record needs a UDP socket (udpPort)');
}

class Ingest implements ReplayIngest, IngestCounters {
  channel!: TimelineChannel;
  udpAddress: { address: string; port: number } | null = null;
  captureDone: Promise<CaptureReplayResult> | null = null;
  readonly channelName: string;
  readonly packets = new Map<string, number>();
  readonly dropped = new Map<string, number>();
  bytesReceived = 0;
  private received = 0;
  private accepted = 0;
  private appendErrors = 0;
  private session: string | null = null;
  private race!: LiveRace;
  private socket: Socket | null = null;
  private recorder: CaptureWriter | null = null;
  private timelineFile: TimelineFileRecorder | null = null;
  /** Failed writes of the recording files, by file and code (capture / timeline → IMPORT_DISK_FULL…). */
  readonly writeErrors = new Map<string, number>();
  private closed: Promise<Uint8Array> | null = null;
  private stopReplay = false;
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private unregister: () => void = () => {};
  private readonly warn: (m: string) => void;

  constructor(private readonly options: ReplayIngestOptions) {
    this.channelName = options.channel ?? DEFAULT_CHANNEL;
    this.warn = options.onWarning ?? (() => {});
  }

  get timeline(): string {
    return this.channelName;
  }

  get udpPort(): number | undefined {
    return this.udpAddress?.port;
  }

  get title(): string {
    const from = [
      this.udpAddress ? `udp://${this.udpAddress.address}:${this.udpAddress.port}` : '',
      this.options.fromCapture ? `capture ${this.options.fromCapture}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return `Live F1 game telemetry from ${from} → timeline "${this.channelName}"${this.options.record ? ` (recording to ${this.options.record})` : ''}`;
  }

  get captureDropped(): number {
    return this.recorder?.dropped ?? 0;
  }

  get participants(): readonly Participant[] | null {
    return this.race.participants;
  }

  get stats(): IngestStats {
    return {
      received: this.received,
      accepted: this.accepted,
      bytes: this.bytesReceived,
      packets: Object.fromEntries(this.packets),
      dropped: Object.fromEntries(this.dropped) as Partial<Record<DropReason, number>>,
      frames: this.race.framesEmitted,
      appendErrors: this.appendErrors,
      clockRewinds: this.race.clockRewinds,
      session: this.session,
      recorded: this.recorder?.records ?? 0,
      recordDropped: this.recorder?.dropped ?? 0,
      timelineFile:
        this.timelineFile === null
          ? null
          : { segments: this.timelineFile.segments, bytes: this.timelineFile.bytes, error: this.timelineFile.error?.code ?? null },
    };
  }

  async start(server: TidewireServer): Promise<void> {
    const o = this.options;
    const rateHz = o.rateHz ?? DEFAULT_RATE_HZ;
    const participants = o.fromCapture !== undefined ? await scanParticipants(o.fromCapture) : null;
    this.channel = server.timeline(this.channelName, {
      schema: liveSchema(o.name ?? 'F1 game session', rateHz, participants, o.fromCapture),
      live: true,
      ...(o.keyframeInterval !== undefined ? { keyframeInterval: o.keyframeInterval } : {}),
    });
    this.race = new LiveRace({
      rateHz,
      onFrame: (values, timeMs) => {
        if (!this.channel.live) return;
        try {
          this.channel.append(values, timeMs);
          this.timelineFile?.append(values, timeMs);
        } catch (e) {
          this.appendErrors++;
          if (this.appendErrors <= 10) this.warn(`frame at ${timeMs} ms not appended: ${(e as Error).message}`);
        }
      },
    });
    this.unregister = registerIngestMetrics(server.metrics, this);
    try {
      const port = o.udpPort === undefined ? (o.fromCapture === undefined ? DEFAULT_UDP_PORT : null) : o.udpPort;
      if (port !== null) await this.listen(port, o.host ?? '127.0.0.1');
      // The timeline file first: it refuses an existing file, before the capture truncates its own.
      if (o.recordTimeline !== undefined) {
        this.timelineFile = new TimelineFileRecorder(o.recordTimeline, this.channel.schema, {
          ...(o.keyframeInterval !== undefined ? { keyframeInterval: o.keyframeInterval } : {}),
          onError: (e) => this.writeFailed('timeline', e),
        });
      }
      if (o.record !== undefined) this.recorder = await CaptureWriter.open(o.record, { onError: (e) => this.writeFailed('capture', e) });
    } catch (e) {
      await this.close().catch(() => {});
      throw e;
    }
    if (o.fromCapture !== undefined) {
      const path = o.fromCapture;
      this.captureDone = this.replay(path, o.fast === true).then((r) => {
        // Nothing else feeds this timeline: the recording is complete.
        if (this.socket === null) void this.close();
        return r;
      });
      this.captureDone.catch(() => {}); // the caller awaits it; avoid an unhandled rejection meanwhile
    }
  }

  private async listen(port: number, host: string): Promise<void> {
    const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
    this.socket = socket;
    socket.on('message', (msg: Buffer) => {
      this.recorder?.write(msg);
      this.handleDatagram(msg);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (e) => this.warn(`UDP socket: ${e.message}`));
    const a = socket.address();
    this.udpAddress = { address: a.address, port: a.port };
  }

  private async replay(path: string, fast: boolean): Promise<CaptureReplayResult> {
    const info: Partial<CaptureInfo> = {};
    let records = 0;
    let firstMs = NaN;
    const wallStart = performance.now();
    for await (const r of readCapture(path, info)) {
      if (this.stopReplay) break;
      if (Number.isNaN(firstMs)) firstMs = r.recvTimeMs;
      if (!fast) {
        const wait = wallStart + (r.recvTimeMs - firstMs) - performance.now();
        if (wait > 1) await new Promise((res) => setTimeout(res, wait));
      } else if ((records & 0xff) === 0xff) {
        await new Promise((res) => setImmediate(res)); // let the server serve meanwhile
      }
      if (this.stopReplay) break;
      this.handleDatagram(r.datagram);
      records++;
    }
    return { records, truncatedTail: info.truncatedTail ?? false };
  }

  handleDatagram(bytes: Uint8Array): void {
    if (this.closed !== null) return;
    this.received++;
    this.bytesReceived += bytes.length;
    this.dispatch(bytes);
    if (this.waiters.length > 0) {
      const due = this.waiters.filter((w) => w.count <= this.received);
      this.waiters = this.waiters.filter((w) => w.count > this.received);
      for (const w of due) w.resolve();
    }
  }

  /** A recording file stopped (the disk filled up…): say so once with its code; the ingest and the server go on. */
  private writeFailed(file: 'capture' | 'timeline', e: ImportError): void {
    const key = `${file} ${e.code}`;
    this.writeErrors.set(key, (this.writeErrors.get(key) ?? 0) + 1);
    this.warn(`${e.code}: the ${file} file stopped recording (what it holds stays readable): ${e.message}`);
  }

  private drop(reason: DropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  private dispatch(bytes: Uint8Array): void {
    const d = decodePacket(bytes);
    if (!d.ok) return this.drop(d.reason);
    const h = d.header;
    // One live timeline follows one game session; a restart or a new session starts a new UID.
    if (this.session === null) this.session = h.sessionUID;
    else if (h.sessionUID !== this.session) return this.drop('other-session');
    this.accepted++;
    const name = PACKET_NAMES[h.packetId]!;
    this.packets.set(name, (this.packets.get(name) ?? 0) + 1);
    const p = d.packet;
    switch (p.kind) {
      case 'motion':
        return this.race.motion(h, p);
      case 'lap-data':
        return this.race.lapData(h, p);
      case 'car-telemetry':
        return this.race.telemetry(h, p);
      case 'participants':
        return this.race.participantsPacket(h, p.numActiveCars, p.cars);
      default:
        return this.race.other(h);
    }
  }

  whenReceived(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  close(): Promise<Uint8Array> {
    this.closed ??= (async () => {
      this.stopReplay = true;
      const socket = this.socket;
      this.socket = null;
      if (socket) await new Promise<void>((r) => socket.close(() => r()));
      // A recording file that failed was reported when it did; closing the rest goes on.
      await this.recorder?.close().catch(() => {});
      await this.timelineFile?.close();
      this.unregister();
      return this.channel.end();
    })();
    return this.closed;
  }
}

/**
 * Creates the live timeline channel `options.channel` on `server` and starts feeding it from UDP
 * and/or a capture. Throws IMPORT_BAD_OPTION, the server's TW_SERVER_CHANNEL_EXISTS, or the
 * socket's bind error (EADDRINUSE…), having cleaned up.
 */
export async function mountReplayIngest(server: TidewireServer, options: ReplayIngestOptions): Promise<ReplayIngest> {
  checkOptions(options);
  const ingest = new Ingest(options);
  await ingest.start(server);
  return ingest;
}
