// Reading a replay back: the summary `tidewire replay info` prints, from the file's schema and
// static metadata only (no frame is decoded).
import { TimelineError, TimelineReader } from '@tidewire/timeline';
import { ReplayError } from './errors.ts';
import { REPLAY_FORMAT } from './generate.ts';

export interface ReplayEntity {
  number: number;
  code: string;
  name: string;
  team: string;
  color: string;
}

export interface ReplayClassificationRow {
  position: number | null;
  number: number;
  laps: number;
  status: string;
  timeSec: number | null;
}

/** Exactly what `tidewire replay info FILE --json` prints (keys in this order). */
export interface ReplayInfo {
  rateHz: number;
  frames: number;
  durationSec: number;
  entities: ReplayEntity[];
  classification: ReplayClassificationRow[];
}

function bad(message: string): ReplayError {
  return new ReplayError('REPLAY_BAD_FILE', message);
}

function field<T>(o: Record<string, unknown>, key: string, check: (v: unknown) => boolean, where: string): T {
  const v = o[key];
  if (!check(v)) throw bad(`${where}: ${key} is missing or malformed`);
  return v as T;
}

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStr = (v: unknown) => typeof v === 'string';
const isNullable = (check: (v: unknown) => boolean) => (v: unknown) => v === null || check(v);

/** Opens a replay file (checking its structure) and returns its summary; REPLAY_BAD_FILE otherwise. */
export function readReplayInfo(file: Uint8Array): ReplayInfo {
  let reader: TimelineReader;
  try {
    reader = TimelineReader.open(file);
  } catch (e) {
    if (TimelineError.is(e)) throw new ReplayError('REPLAY_BAD_FILE', `not a readable timeline (${e.code}): ${e.message}`, { cause: e });
    throw e;
  }
  const st = reader.schema.static;
  if (!st || st.format !== REPLAY_FORMAT) throw bad(`a timeline, but not a race replay (static.format is ${JSON.stringify(st?.format)})`);
  if (!Array.isArray(st.classification)) throw bad('static.classification is missing');
  const entities = reader.schema.entities.map((e, i): ReplayEntity => {
    const where = `entity ${i}`;
    return {
      number: field(e, 'number', isInt, where),
      code: field(e, 'code', isStr, where),
      name: field(e, 'name', isStr, where),
      team: field(e, 'team', isStr, where),
      color: field(e, 'color', isStr, where),
    };
  });
  const classification = (st.classification as unknown[]).map((c, i): ReplayClassificationRow => {
    const where = `classification row ${i}`;
    if (typeof c !== 'object' || c === null) throw bad(`${where} is not an object`);
    const o = c as Record<string, unknown>;
    return {
      position: field(o, 'position', isNullable(isInt), where),
      number: field(o, 'number', isInt, where),
      laps: field(o, 'laps', isInt, where),
      status: field(o, 'status', isStr, where),
      timeSec: field(
        o,
        'timeSec',
        isNullable((v) => typeof v === 'number'),
        where,
      ),
    };
  });
  return {
    rateHz: reader.schema.rateHz,
    frames: reader.frameCount,
    durationSec: Math.round(reader.durationMs) / 1000,
    entities,
    classification,
  };
}
