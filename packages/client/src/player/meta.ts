// The trust boundary for `GET /api/timelines/:name` (docs/timeline-format.md §W): every field
// is checked before the player sizes a buffer or a request by it. Runs in the engine (worker).
import { LIMITS, validateSchema } from '@tidewire/timeline';
import { ClientError } from '../errors.ts';
import type { SegmentEntry, TimelineMeta } from './timebase.ts';

/** More segments than this in one metadata answer is refused (a 24 h timeline of 2 s segments is 43,200). */
export const MAX_META_SEGMENTS = 1_000_000;

function bad(message: string): ClientError {
  return new ClientError('TW_BAD_TIMELINE', `timeline metadata: ${message}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function count(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw bad(`${what} must be a non-negative integer`);
  return x;
}

function finite(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`${what} must be a finite number`);
  return x;
}

export function parseTimelineMeta(json: unknown, expectedName: string): TimelineMeta {
  if (!isObject(json)) throw bad('not an object');
  if (json.name !== undefined && json.name !== expectedName) throw bad(`answer is for ${JSON.stringify(json.name)}, not ${JSON.stringify(expectedName)}`);
  const raw = json.schema;
  if (!isObject(raw)) throw bad('schema must be an object');
  let schema;
  try {
    // The server sends fields under `schema` and entities / static beside it.
    schema = validateSchema({
      ...raw,
      entities: raw.entities ?? json.entities,
      ...(json.static !== undefined || raw.static !== undefined ? { static: raw.static ?? json.static } : {}),
    });
  } catch (err) {
    throw new ClientError('TW_BAD_TIMELINE', `timeline metadata: ${(err as Error).message}`, { cause: err });
  }
  const rateHz = json.rateHz === undefined ? schema.rateHz : finite(json.rateHz, 'rateHz');
  if (rateHz !== schema.rateHz) throw bad(`rateHz ${rateHz} differs from the schema's ${schema.rateHz}`);
  const frameCount = count(json.frameCount, 'frameCount');
  const durationMs = finite(json.durationMs ?? 0, 'durationMs');
  if (!Array.isArray(json.segments)) throw bad('segments must be an array');
  if (json.segments.length > MAX_META_SEGMENTS) throw bad(`more than ${MAX_META_SEGMENTS} segments`);
  const period = 1000 / rateHz;
  const segments: SegmentEntry[] = [];
  let nextFrame = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < json.segments.length; i++) {
    const s: unknown = json.segments[i];
    const at = `segments[${i}]`;
    if (!isObject(s)) throw bad(`${at} must be an object`);
    if (s.index !== i) throw bad(`${at}.index must be ${i}`);
    const firstFrame = count(s.firstFrame, `${at}.firstFrame`);
    if (firstFrame !== nextFrame) throw bad(`${at}.firstFrame ${firstFrame} does not continue at ${nextFrame}`);
    const frames = count(s.frameCount, `${at}.frameCount`);
    if (frames < 1 || frames > LIMITS.maxSegmentFrames) throw bad(`${at}.frameCount must be in 1..${LIMITS.maxSegmentFrames}`);
    const startMs = finite(s.startMs, `${at}.startMs`);
    // §5.6: a segment starts at least half a period after the previous one's last frame.
    if (!(startMs >= lastEnd + period / 2 - 1e-6)) throw bad(`${at}.startMs ${startMs} overlaps the previous segment`);
    const endMs = startMs + (frames - 1) * period;
    segments.push({ index: i, firstFrame, frameCount: frames, startMs, endMs });
    nextFrame = firstFrame + frames;
    lastEnd = endMs;
  }
  if (frameCount < nextFrame) throw bad(`frameCount ${frameCount} is below the ${nextFrame} frames the segments hold`);
  return {
    name: expectedName,
    version: typeof json.version === 'string' ? json.version : '',
    schema,
    rateHz,
    frameCount,
    durationMs,
    live: json.live === true,
    segments,
  };
}
