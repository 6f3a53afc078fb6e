// Telemetry loader (a Web Worker, created only once a driver is selected): fetches one lap's
// frames with `GET /api/timelines/:name/frames?from=&to=` (msgpack { firstFrame, frames }, from
// the keyframe at or before `from`), decodes them and posts back one car's speed, throttle and
// brake as transferred arrays. Decoding stays off the main thread, as in the player.
import { unpack } from '@tidewire/protocol';
import { FrameDecoder, validateSchema } from '@tidewire/timeline';
import type { TelemetryReply, TelemetryRequest } from './telemetry-messages.ts';

/** The server's cap per request (MAX_RANGE_FRAMES); a lap is ~2,400 frames at 25 Hz. */
const MAX_FRAMES_PER_REQUEST = 4096;
/** Most frames one answer may span (a 10-minute lap at 25 Hz). */
const MAX_SPAN = 15_000;

let decoder: FrameDecoder | null = null;
let decoderKey = '';

async function load(req: TelemetryRequest): Promise<TelemetryReply> {
  const key = JSON.stringify([req.schema.name, req.schema.fields.length, req.schema.entities.length]);
  if (!decoder || decoderKey !== key) {
    decoder = new FrameDecoder(validateSchema(req.schema));
    decoderKey = key;
  }
  const F = req.schema.fields.length;
  const col = (name: string) => req.schema.fields.findIndex((f) => f.name === name);
  const [speed, throttle, brake, lap, distance] = ['speed', 'throttle', 'brake', 'lap', 'distance'].map(col) as [number, number, number, number, number];
  const e = req.entity;
  const from = Math.max(0, Math.floor(req.from));
  const to = Math.min(Math.floor(req.to), from + MAX_SPAN - 1);
  const n = Math.max(0, to - from + 1);
  const xs = new Float64Array(n);
  const sp = new Float64Array(n);
  const th = new Float64Array(n);
  const br = new Float64Array(n);
  const values = new Float64Array(F * req.schema.entities.length);
  let count = 0;
  let next = from;
  const headers: Record<string, string> = req.token ? { authorization: `Bearer ${req.token}` } : {};
  while (next <= to) {
    const last = Math.min(to, next + MAX_FRAMES_PER_REQUEST - 1);
    const res = await fetch(`${req.base}/api/timelines/${encodeURIComponent(req.timeline)}/frames?from=${next}&to=${last}`, { headers });
    if (!res.ok) throw new Error(`frames ${next}–${last}: HTTP ${res.status}`);
    const body = unpack(new Uint8Array(await res.arrayBuffer()), 'frames answer') as { firstFrame?: unknown; frames?: unknown };
    const first = body.firstFrame;
    const frames = body.frames;
    if (typeof first !== 'number' || !Number.isSafeInteger(first) || first > next || !Array.isArray(frames) || frames.length === 0)
      throw new Error('malformed frames answer');
    decoder.reset();
    let i = first;
    for (const bytes of frames) {
      if (!(bytes instanceof Uint8Array)) throw new Error('malformed frame in the answer');
      decoder.decode(bytes, values);
      if (i >= next && i <= last) {
        const o = e * F;
        // Only the lap asked for: a retired car's frames after it stopped, or the next lap, drop out.
        if (lap < 0 || values[o + lap] === req.lap) {
          const d = distance >= 0 ? values[o + distance]! : Number.NaN;
          xs[count] = req.lapLengthM !== null && d === d ? d - (req.lap - 1) * req.lapLengthM : (i - from) / req.schema.rateHz;
          sp[count] = speed >= 0 ? values[o + speed]! : Number.NaN;
          th[count] = throttle >= 0 ? values[o + throttle]! : Number.NaN;
          br[count] = brake >= 0 ? values[o + brake]! * 100 : Number.NaN;
          count++;
        }
      }
      i++;
    }
    // The server stops early past its byte cap: carry on after the last frame it sent.
    next = Math.max(next + 1, i);
  }
  const cut = (a: Float64Array) => a.slice(0, count);
  return {
    id: req.id,
    ok: true,
    entity: e,
    lap: req.lap,
    x: cut(xs),
    speed: cut(sp),
    throttle: cut(th),
    brake: cut(br),
    xIsDistance: req.lapLengthM !== null && distance >= 0,
  };
}

self.onmessage = (ev: MessageEvent<TelemetryRequest>) => {
  const req = ev.data;
  load(req).then(
    (reply) => (self as unknown as Worker).postMessage(reply, reply.ok ? [reply.x.buffer, reply.speed.buffer, reply.throttle.buffer, reply.brake.buffer] : []),
    (err: unknown) =>
      (self as unknown as Worker).postMessage({ id: req.id, ok: false, message: String((err as Error)?.message ?? err) } satisfies TelemetryReply),
  );
};
