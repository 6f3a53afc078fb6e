// F1 game UDP telemetry packets, formats 2023, 2024 and 2025 (docs/replay-import.md §3.1):
// little-endian, packed. Only what a replay needs is decoded — the header, Motion (0), Lap Data
// (2), Participants (4) and Car Telemetry (6); every other known packet id is recognised and
// skipped. A packet must have exactly its format's size: shorter is `truncated`, longer is
// `bad-length`, so a read can never run past the datagram (nor into a neighbour when Node hands
// a view of a larger buffer: every read goes through the packet's own DataView).

export const HEADER_SIZE =
  /* packetFormat */ 2 +
  /* gameYear */ 1 +
  /* major */ 1 +
  /* minor */ 1 +
  /* packetVersion */ 1 +
  /* packetId */ 1 +
  /* sessionUID */ 8 +
  /* sessionTime */ 4 +
  /* frameIdentifier */ 4 +
  /* overallFrameIdentifier */ 4 +
  /* playerCarIndex */ 1 +
  /* secondaryPlayerCarIndex */ 1; // 29
export const MAX_CARS = 22;
/** The largest packet of any supported format is under 1,500 bytes; anything past this is not telemetry. */
export const MAX_PACKET_BYTES = 2048;
export const SUPPORTED_FORMATS = [2023, 2024, 2025] as const;
export type PacketFormat = (typeof SUPPORTED_FORMATS)[number];

export const PacketId = {
  motion: 0,
  session: 1,
  lapData: 2,
  event: 3,
  participants: 4,
  carSetups: 5,
  carTelemetry: 6,
  carStatus: 7,
  finalClassification: 8,
  lobbyInfo: 9,
  carDamage: 10,
  sessionHistory: 11,
  tyreSets: 12,
  motionEx: 13,
  timeTrial: 14,
  lapPositions: 15,
} as const;

export const PACKET_NAMES = [
  'motion',
  'session',
  'lap-data',
  'event',
  'participants',
  'car-setups',
  'car-telemetry',
  'car-status',
  'final-classification',
  'lobby-info',
  'car-damage',
  'session-history',
  'tyre-sets',
  'motion-ex',
  'time-trial',
  'lap-positions',
] as const;

/** Highest packet id of each format: 13 Motion Ex (2023), 14 Time Trial (2024), 15 Lap Positions (2025). */
const MAX_PACKET_ID: Record<PacketFormat, number> = { 2023: 13, 2024: 14, 2025: 15 };

/** Why a datagram was dropped (the `reason` label of the drop counter). */
export const DROP_REASONS = ['truncated', 'bad-length', 'unsupported-format', 'unknown-packet', 'bad-value', 'other-session', 'oversized'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

interface Layout {
  /** Bytes per car in each array. */
  motionCar: number;
  lapCar: number;
  telemetryCar: number;
  participantCar: number;
  nameBytes: number;
  /** Whole packet sizes. */
  motion: number;
  lapData: number;
  telemetry: number;
  participants: number;
}

function layout(lapCar: number, participantCar: number, nameBytes: number): Layout {
  const motionCar = 60,
    telemetryCar = 60;
  return {
    motionCar,
    lapCar,
    telemetryCar,
    participantCar,
    nameBytes,
    motion: HEADER_SIZE + MAX_CARS * motionCar, // 1349
    lapData: HEADER_SIZE + MAX_CARS * lapCar + /* timeTrialPBCarIdx, timeTrialRivalCarIdx */ 2,
    telemetry: HEADER_SIZE + MAX_CARS * telemetryCar + /* mfdPanelIndex, …SecondaryPlayer, suggestedGear */ 3, // 1352
    participants: HEADER_SIZE + /* numActiveCars */ 1 + MAX_CARS * participantCar,
  };
}

/**
 * Per format: LapData is 50 bytes in 2023 and 57 from 2024 (minute parts of the two deltas, the
 * speed trap); ParticipantData is 58 (2023), 60 (2024: techLevel) and 57 (2025: a 32-byte name,
 * livery colours). Packet sizes: Lap Data 1131 / 1285 / 1285, Participants 1306 / 1350 / 1284.
 */
export const LAYOUTS: Record<PacketFormat, Layout> = {
  2023: layout(50, 58, 48),
  2024: layout(57, 60, 48),
  2025: layout(57, 57, 32),
};

export interface PacketHeader {
  packetFormat: PacketFormat;
  gameYear: number;
  gameMajorVersion: number;
  gameMinorVersion: number;
  packetVersion: number;
  packetId: number;
  /** u64 as 16 hex digits (no precision lost). */
  sessionUID: string;
  sessionTime: number;
  frameIdentifier: number;
  overallFrameIdentifier: number;
  playerCarIndex: number;
  secondaryPlayerCarIndex: number;
}

export interface MotionPacket {
  kind: 'motion';
  /** World position (m) and velocity (m/s) per car; the track plane is x–z, y is up. */
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  vx: Float32Array;
  vy: Float32Array;
  vz: Float32Array;
}

export interface LapDataPacket {
  kind: 'lap-data';
  lapDistance: Float32Array;
  totalDistance: Float32Array;
  /** ms, minutes part included (2024+). */
  deltaToLeaderMs: Float64Array;
  carPosition: Uint8Array;
  currentLapNum: Uint8Array;
  /** 0 none, 1 pitting, 2 in pit area. */
  pitStatus: Uint8Array;
  numPitStops: Uint8Array;
  gridPosition: Uint8Array;
  /** 0 in garage, 1 flying lap, 2 in lap, 3 out lap, 4 on track. */
  driverStatus: Uint8Array;
  /** 0 invalid, 1 inactive, 2 active, 3 finished, 4 did not finish, 5 disqualified, 6 not classified, 7 retired. */
  resultStatus: Uint8Array;
}

export interface CarTelemetryPacket {
  kind: 'car-telemetry';
  /** km/h */
  speed: Uint16Array;
  /** 0–1 */
  throttle: Float32Array;
  steer: Float32Array;
  brake: Float32Array;
  clutch: Uint8Array;
  /** 1–8, 0 neutral, −1 reverse */
  gear: Int8Array;
  engineRPM: Uint16Array;
  drs: Uint8Array;
}

export interface Participant {
  aiControlled: boolean;
  driverId: number;
  networkId: number;
  teamId: number;
  raceNumber: number;
  nationality: number;
  name: string;
}

export interface ParticipantsPacket {
  kind: 'participants';
  numActiveCars: number;
  cars: Participant[];
}

export interface OtherPacket {
  kind: 'other';
}

export type Packet = MotionPacket | LapDataPacket | CarTelemetryPacket | ParticipantsPacket | OtherPacket;

export type DecodeResult = { ok: true; header: PacketHeader; packet: Packet } | { ok: false; reason: DropReason; detail: string; header?: PacketHeader };

function fail(reason: DropReason, detail: string, header?: PacketHeader): DecodeResult {
  return header ? { ok: false, reason, detail, header } : { ok: false, reason, detail };
}

const nameDecoder = new TextDecoder('utf-8');
// eslint-disable-next-line no-control-regex -- control characters in a driver name are stripped on purpose
const NAME_CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/** Decodes one datagram. Never throws: anything wrong comes back as a DropReason. */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  const n = bytes.length;
  if (n > MAX_PACKET_BYTES) return fail('oversized', `${n} bytes`);
  if (n < 2) return fail('truncated', `${n} bytes, shorter than the header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, n);
  const format = v.getUint16(0, true);
  // F1 22 and older have a 24-byte header without gameYear and overallFrameIdentifier: refused here, not misread.
  if (!(SUPPORTED_FORMATS as readonly number[]).includes(format)) return fail('unsupported-format', `packetFormat ${format}`);
  if (n < HEADER_SIZE) return fail('truncated', `${n} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  const header: PacketHeader = {
    packetFormat: format as PacketFormat,
    gameYear: v.getUint8(2),
    gameMajorVersion: v.getUint8(3),
    gameMinorVersion: v.getUint8(4),
    packetVersion: v.getUint8(5),
    packetId: v.getUint8(6),
    sessionUID: v.getBigUint64(7, true).toString(16).padStart(16, '0'),
    sessionTime: v.getFloat32(15, true),
    frameIdentifier: v.getUint32(19, true),
    overallFrameIdentifier: v.getUint32(23, true),
    playerCarIndex: v.getUint8(27),
    secondaryPlayerCarIndex: v.getUint8(28),
  };
  if (header.packetId > MAX_PACKET_ID[header.packetFormat]) return fail('unknown-packet', `packetId ${header.packetId} in format ${format}`, header);
  if (!Number.isFinite(header.sessionTime) || header.sessionTime < 0 || header.sessionTime > 1e7)
    return fail('bad-value', `sessionTime ${header.sessionTime}`, header);
  const L = LAYOUTS[header.packetFormat];
  const size = (expected: number): DecodeResult | null =>
    n < expected
      ? fail('truncated', `${PACKET_NAMES[header.packetId]} is ${n} bytes, format ${format} needs ${expected}`, header)
      : n > expected
        ? fail('bad-length', `${PACKET_NAMES[header.packetId]} is ${n} bytes, format ${format} has ${expected}`, header)
        : null;
  switch (header.packetId) {
    case PacketId.motion:
      return size(L.motion) ?? { ok: true, header, packet: readMotion(v, L) };
    case PacketId.lapData:
      return size(L.lapData) ?? { ok: true, header, packet: readLapData(v, L, header.packetFormat) };
    case PacketId.carTelemetry:
      return size(L.telemetry) ?? { ok: true, header, packet: readTelemetry(v, L) };
    case PacketId.participants: {
      const bad = size(L.participants);
      if (bad) return bad;
      const p = readParticipants(bytes, v, L);
      return p.numActiveCars > MAX_CARS ? fail('bad-value', `numActiveCars ${p.numActiveCars}`, header) : { ok: true, header, packet: p };
    }
    default:
      return { ok: true, header, packet: { kind: 'other' } };
  }
}

function readMotion(v: DataView, L: Layout): MotionPacket {
  const p: MotionPacket = {
    kind: 'motion',
    x: new Float32Array(MAX_CARS),
    y: new Float32Array(MAX_CARS),
    z: new Float32Array(MAX_CARS),
    vx: new Float32Array(MAX_CARS),
    vy: new Float32Array(MAX_CARS),
    vz: new Float32Array(MAX_CARS),
  };
  for (let i = 0; i < MAX_CARS; i++) {
    const o = HEADER_SIZE + i * L.motionCar;
    p.x[i] = v.getFloat32(o, true);
    p.y[i] = v.getFloat32(o + 4, true);
    p.z[i] = v.getFloat32(o + 8, true);
    p.vx[i] = v.getFloat32(o + 12, true);
    p.vy[i] = v.getFloat32(o + 16, true);
    p.vz[i] = v.getFloat32(o + 20, true);
    // then forward/right directions (6 × i16), g-forces, yaw, pitch, roll: not needed
  }
  return p;
}

function readLapData(v: DataView, L: Layout, format: PacketFormat): LapDataPacket {
  const p: LapDataPacket = {
    kind: 'lap-data',
    lapDistance: new Float32Array(MAX_CARS),
    totalDistance: new Float32Array(MAX_CARS),
    deltaToLeaderMs: new Float64Array(MAX_CARS),
    carPosition: new Uint8Array(MAX_CARS),
    currentLapNum: new Uint8Array(MAX_CARS),
    pitStatus: new Uint8Array(MAX_CARS),
    numPitStops: new Uint8Array(MAX_CARS),
    gridPosition: new Uint8Array(MAX_CARS),
    driverStatus: new Uint8Array(MAX_CARS),
    resultStatus: new Uint8Array(MAX_CARS),
  };
  const modern = format >= 2024;
  for (let i = 0; i < MAX_CARS; i++) {
    let o = HEADER_SIZE + i * L.lapCar;
    o += /* lastLapTimeInMS */ 4 + /* currentLapTimeInMS */ 4 + /* sector1 ms, min */ 3 + /* sector2 ms, min */ 3;
    o += /* deltaToCarInFront ms (+ minutes from 2024) */ modern ? 3 : 2;
    const leaderMs = v.getUint16(o, true);
    const leaderMin = modern ? v.getUint8(o + 2) : 0;
    o += modern ? 3 : 2;
    p.deltaToLeaderMs[i] = leaderMin * 60_000 + leaderMs;
    p.lapDistance[i] = v.getFloat32(o, true);
    p.totalDistance[i] = v.getFloat32(o + 4, true);
    o += 8 + /* safetyCarDelta */ 4;
    p.carPosition[i] = v.getUint8(o);
    p.currentLapNum[i] = v.getUint8(o + 1);
    p.pitStatus[i] = v.getUint8(o + 2);
    p.numPitStops[i] = v.getUint8(o + 3);
    // sector, currentLapInvalid, penalties, totalWarnings, cornerCuttingWarnings, numUnservedDriveThroughPens, numUnservedStopGoPens
    o += 4 + 7;
    p.gridPosition[i] = v.getUint8(o);
    p.driverStatus[i] = v.getUint8(o + 1);
    p.resultStatus[i] = v.getUint8(o + 2);
    // pitLaneTimerActive, pitLaneTimeInLaneInMS, pitStopTimerInMS, pitStopShouldServePen (+ speed trap from 2024): not needed
  }
  return p;
}

function readTelemetry(v: DataView, L: Layout): CarTelemetryPacket {
  const p: CarTelemetryPacket = {
    kind: 'car-telemetry',
    speed: new Uint16Array(MAX_CARS),
    throttle: new Float32Array(MAX_CARS),
    steer: new Float32Array(MAX_CARS),
    brake: new Float32Array(MAX_CARS),
    clutch: new Uint8Array(MAX_CARS),
    gear: new Int8Array(MAX_CARS),
    engineRPM: new Uint16Array(MAX_CARS),
    drs: new Uint8Array(MAX_CARS),
  };
  for (let i = 0; i < MAX_CARS; i++) {
    const o = HEADER_SIZE + i * L.telemetryCar;
    p.speed[i] = v.getUint16(o, true);
    p.throttle[i] = v.getFloat32(o + 2, true);
    p.steer[i] = v.getFloat32(o + 6, true);
    p.brake[i] = v.getFloat32(o + 10, true);
    p.clutch[i] = v.getUint8(o + 14);
    p.gear[i] = v.getInt8(o + 15);
    p.engineRPM[i] = v.getUint16(o + 16, true);
    p.drs[i] = v.getUint8(o + 18);
    // rev lights, brake/tyre/engine temperatures, tyre pressures, surface types: not needed
  }
  return p;
}

function readParticipants(bytes: Uint8Array, v: DataView, L: Layout): ParticipantsPacket {
  const cars: Participant[] = [];
  for (let i = 0; i < MAX_CARS; i++) {
    const o = HEADER_SIZE + 1 + i * L.participantCar;
    const nameStart = o + 7;
    const raw = bytes.subarray(nameStart, nameStart + L.nameBytes);
    const nul = raw.indexOf(0);
    cars.push({
      aiControlled: v.getUint8(o) === 1,
      driverId: v.getUint8(o + 1),
      networkId: v.getUint8(o + 2),
      teamId: v.getUint8(o + 3),
      // o + 4: myTeam
      raceNumber: v.getUint8(o + 5),
      nationality: v.getUint8(o + 6),
      // Null-terminated UTF-8; a name with no terminator is cut at the field's end.
      name: nameDecoder
        .decode(nul < 0 ? raw : raw.subarray(0, nul))
        .replace(NAME_CONTROL_CHARS, '')
        .trim(),
    });
  }
  return { kind: 'participants', numActiveCars: v.getUint8(HEADER_SIZE), cars };
}
