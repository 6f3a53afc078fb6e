// A full sync from Live through AbletonOSC: the song's shape and every property the mirror
// shows, collected into a LiveModel. Nothing is applied while it runs; the caller builds the
// new tree from the finished model and publishes it with one replace(), so clients never see
// a half-built set. Replies are untrusted: wrong types or inconsistent lengths fail the sync
// (LIVESET_SYNC_FAILED) instead of producing a wrong tree.
import { LiveSetError } from '../errors.ts';
import type { LiveClip, LiveDevice, LiveModel, LiveParam, LiveTrack } from '../live-model.ts';
import { boolArg, intArg, isNil, numberArg, textArg } from '../osc/args.ts';
import { int, str } from '../osc/codec.ts';
import type { OscArg } from '../osc/codec.ts';
import type { Requester } from './requester.ts';

export interface SyncLimits {
  maxTracks: number;
  maxScenes: number;
  maxDevicesPerTrack: number;
  maxParamsPerDevice: number;
}

export const DEFAULT_SYNC_LIMITS: Readonly<SyncLimits> = { maxTracks: 1024, maxScenes: 1024, maxDevicesPerTrack: 128, maxParamsPerDevice: 1024 };

/** Per-track properties fetched in bulk with /live/song/get/track_data, in this order. */
export const TRACK_DATA_PROPS = [
  'track.name',
  'track.color',
  'track.color_index',
  'track.mute',
  'track.solo',
  'track.is_foldable',
  'track.can_be_armed',
  'track.has_midi_input',
  'clip.name',
  'clip.color',
] as const;
const TRACK_SCALARS = 8;

/**
 * A track_data reply must fit one datagram (AbletonOSC otherwise splits it into chunks this
 * client does not reassemble). Budgeting ~40 bytes per value keeps a reply near 8 KB.
 */
export function tracksPerRequest(scenes: number): number {
  return Math.max(1, Math.min(16, Math.floor(8000 / (40 * (TRACK_SCALARS + 2 * scenes)))));
}

function fail(what: string): never {
  throw new LiveSetError('LIVESET_SYNC_FAILED', `unexpected reply from AbletonOSC: ${what}`);
}

function one<T>(args: OscArg[], read: (a: OscArg | undefined) => T | undefined, what: string): T {
  const v = read(args[0]);
  if (v === undefined) fail(what);
  return v;
}

function count(args: OscArg[], max: number, what: string): number {
  const n = intArg(args[0]);
  if (n === undefined || n < 0) fail(what);
  return Math.min(n, max);
}

function list<T>(args: OscArg[], read: (a: OscArg | undefined) => T | undefined, what: string): T[] {
  return args.map((a) => {
    const v = read(a);
    if (v === undefined) fail(what);
    return v;
  });
}

async function trackBlock(req: Requester, from: number, to: number, scenes: number): Promise<LiveTrack[]> {
  const args = await req.request('/live/song/get/track_data', [], [int(from), int(to), ...TRACK_DATA_PROPS.map(str)]);
  const per = TRACK_SCALARS + 2 * scenes;
  if (args.length !== (to - from) * per) fail(`track_data ${from}..${to} has ${args.length} values, expected ${(to - from) * per}`);
  const out: LiveTrack[] = [];
  for (let t = 0; t < to - from; t++) {
    const a = args.slice(t * per, (t + 1) * per);
    const name = textArg(a[0]);
    const rgb = intArg(a[1]);
    const color = intArg(a[2]);
    const mute = boolArg(a[3]);
    const solo = boolArg(a[4]);
    const isGroup = boolArg(a[5]);
    const canBeArmed = boolArg(a[6]);
    const midi = boolArg(a[7]);
    if (name === undefined || mute === undefined || solo === undefined || isGroup === undefined || canBeArmed === undefined || midi === undefined) {
      fail(`track_data for track ${from + t}`);
    }
    const clips: (LiveClip | null)[] = [];
    for (let s = 0; s < scenes; s++) {
      const n = a[TRACK_SCALARS + s];
      const c = a[TRACK_SCALARS + scenes + s];
      if (isNil(n)) {
        clips.push(null);
        continue;
      }
      const clipName = textArg(n);
      if (clipName === undefined) fail(`clip name of track ${from + t}, slot ${s}`);
      const clip: LiveClip = { name: clipName };
      const clipRgb = intArg(c);
      if (clipRgb !== undefined) clip.rgb = clipRgb;
      clips.push(clip);
    }
    const track: LiveTrack = { name, mute, solo, isGroup, canBeArmed, midi, devices: [], clips };
    if (rgb !== undefined) track.rgb = rgb;
    if (color !== undefined) track.color = color;
    out.push(track);
  }
  return out;
}

async function device(req: Requester, i: number, j: number, name: string, className: string, limits: SyncLimits): Promise<LiveDevice> {
  const [names, values, mins, maxs] = await Promise.all(
    (['name', 'value', 'min', 'max'] as const).map((p) => req.request(`/live/device/get/parameters/${p}`, [i, j])),
  );
  const n = names!.length;
  if (values!.length !== n || mins!.length !== n || maxs!.length !== n) fail(`parameter lists of track ${i}, device ${j} differ in length`);
  const params: LiveParam[] = [];
  for (let k = 0; k < Math.min(n, limits.maxParamsPerDevice); k++) {
    const pn = textArg(names![k], 256);
    const v = numberArg(values![k]);
    const lo = numberArg(mins![k]);
    const hi = numberArg(maxs![k]);
    if (pn === undefined || v === undefined || lo === undefined || hi === undefined) fail(`parameter ${k} of track ${i}, device ${j}`);
    params.push({ name: pn, value: v, min: lo, max: hi });
  }
  return { name, className, params };
}

async function trackDetails(req: Requester, i: number, t: LiveTrack, limits: SyncLimits): Promise<void> {
  const [volume, panning, arm, names, classes] = await Promise.all([
    req.request('/live/track/get/volume', [i]),
    req.request('/live/track/get/panning', [i]),
    t.canBeArmed ? req.request('/live/track/get/arm', [i]) : Promise.resolve(undefined),
    req.request('/live/track/get/devices/name', [i]),
    req.request('/live/track/get/devices/class_name', [i]),
  ]);
  t.fader = one(volume, numberArg, `volume of track ${i}`);
  t.pan = one(panning, numberArg, `panning of track ${i}`);
  if (arm !== undefined) t.arm = one(arm, boolArg, `arm of track ${i}`);
  const deviceNames = list(names, (a) => textArg(a), `device names of track ${i}`);
  const classNames = list(classes, (a) => textArg(a, 256), `device classes of track ${i}`);
  if (deviceNames.length !== classNames.length) fail(`device names and classes of track ${i} differ in length`);
  const n = Math.min(deviceNames.length, limits.maxDevicesPerTrack);
  t.devices = await Promise.all(Array.from({ length: n }, (_, j) => device(req, i, j, deviceNames[j]!, classNames[j]!, limits)));
}

/** Reads the whole song from Live. */
export async function syncFromLive(req: Requester, limits: SyncLimits = DEFAULT_SYNC_LIMITS): Promise<LiveModel> {
  const [nt, ns, tempoArgs] = await Promise.all([
    req.request('/live/song/get/num_tracks', []),
    req.request('/live/song/get/num_scenes', []),
    req.request('/live/song/get/tempo', []),
  ]);
  const numTracks = count(nt, limits.maxTracks, 'num_tracks');
  const numScenes = count(ns, limits.maxScenes, 'num_scenes');
  const tempo = one(tempoArgs, numberArg, 'tempo');

  const scenes = await Promise.all(
    Array.from({ length: numScenes }, async (_, s) => ({ name: one(await req.request('/live/scene/get/name', [s]), (a) => textArg(a), `name of scene ${s}`) })),
  );

  const per = tracksPerRequest(numScenes);
  const blocks: Promise<LiveTrack[]>[] = [];
  for (let from = 0; from < numTracks; from += per) blocks.push(trackBlock(req, from, Math.min(numTracks, from + per), numScenes));
  const tracks = (await Promise.all(blocks)).flat();
  await Promise.all(tracks.map((t, i) => trackDetails(req, i, t, limits)));
  return { tempo, tracks, scenes };
}

/** The listeners the mirror registers after a sync (docs/liveset-osc.md §2.2). */
export function listenerMessages(model: LiveModel, maxListeners: number): { address: string; args: OscArg[] }[] {
  const out: { address: string; args: OscArg[] }[] = [];
  const add = (address: string, ...ids: number[]) => {
    if (out.length < maxListeners) out.push({ address, args: ids.map(int) });
  };
  for (const p of ['tempo', 'is_playing', 'beat', 'current_song_time']) add(`/live/song/start_listen/${p}`);
  add('/live/view/start_listen/selected_track');
  add('/live/view/start_listen/selected_scene');
  model.scenes.forEach((_, s) => add('/live/scene/start_listen/name', s));
  model.tracks.forEach((t, i) => {
    for (const p of ['name', 'mute', 'solo', 'volume', 'panning', 'color', 'color_index']) add(`/live/track/start_listen/${p}`, i);
    if (t.canBeArmed) add('/live/track/start_listen/arm', i);
    t.clips.forEach((c, s) => {
      if (c === null) return;
      add('/live/clip/start_listen/name', i, s);
      add('/live/clip/start_listen/color', i, s);
    });
  });
  // Parameters last: there are the most of them, and they are what a cap cuts.
  model.tracks.forEach((t, i) => t.devices.forEach((d, j) => d.params.forEach((_, k) => add('/live/device/start_listen/parameter/value', i, j, k))));
  return out;
}
