// mountReplay: a race replay on an existing Tidewire server (what `tidewire serve` and
// `tidewire replay serve` call). It registers the timeline channel; the REST routes
// (`/api/timelines/:name`, segments) and the WebSocket come with the server. The page (apps/replay/dist) is served by the caller
// under `path`, as for every app.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TimelineError } from '@tidewire/timeline';
import type { TidewireServer, TimelineChannel } from '@tidewire/server';
import { ReplayError } from '../generate/errors.ts';
import { bundledRaceFile, checkRaceName, readReplayFile, type RaceFileOptions } from './race-file.ts';

/** The channel name the page plays unless its URL says `?timeline=`. */
export const DEFAULT_TIMELINE = 'race';

/** apps/replay/dist: where `vite build` puts the page. */
export function replayDist(): string {
  return fileURLToPath(new URL('../../dist/', import.meta.url));
}

/** True when the page is built (the caller serves it with `server.serveStatic('/replay/', replayDist())`). */
export function replayDistExists(): boolean {
  return existsSync(`${replayDist()}index.html`);
}

export interface MountReplayOptions extends RaceFileOptions {
  /** A replay file (bytes or a path). Without it the bundled `race` is generated (once, cached). */
  file?: Uint8Array | string;
  /** Timeline channel name; default 'race'. */
  timeline?: string;
}

export interface MountedReplay {
  /** Where the page is served. */
  path: '/replay/';
  title: string;
  timeline: TimelineChannel;
  /** Where the replay came from: a path (given or the cache) or null for bytes passed in. */
  source: string | null;
  close(): Promise<void>;
}

function raceTitle(channel: TimelineChannel): string {
  const race = (channel.schema.static as { race?: { name?: unknown; season?: unknown } } | undefined)?.race;
  const name = typeof race?.name === 'string' && race.name.length > 0 ? race.name : channel.schema.name;
  return `Race replay: ${name}`;
}

export async function mountReplay(server: TidewireServer, options: MountReplayOptions = {}): Promise<MountedReplay> {
  if (options === null || typeof options !== 'object') throw new ReplayError('REPLAY_BAD_OPTION', 'options must be an object');
  const { file } = options;
  if (file !== undefined && typeof file !== 'string' && !(file instanceof Uint8Array)) {
    throw new ReplayError('REPLAY_BAD_OPTION', 'file must be a Uint8Array or a path');
  }
  if (file !== undefined && options.race !== undefined) throw new ReplayError('REPLAY_BAD_OPTION', 'give either file or race, not both');
  if (options.race !== undefined) checkRaceName(options.race);
  const name = options.timeline ?? DEFAULT_TIMELINE;
  if (typeof name !== 'string' || name.length === 0) throw new ReplayError('REPLAY_BAD_OPTION', 'timeline must be a non-empty channel name');

  let bytes: Uint8Array;
  let source: string | null;
  if (file instanceof Uint8Array) {
    bytes = file;
    source = null;
  } else if (typeof file === 'string') {
    bytes = await readReplayFile(file);
    source = file;
  } else {
    const r = await bundledRaceFile(options);
    bytes = r.bytes;
    source = r.path;
  }
  let channel: TimelineChannel;
  try {
    channel = server.timeline(name, { file: bytes });
  } catch (e) {
    if (TimelineError.is(e))
      throw new ReplayError('REPLAY_BAD_FILE', `${source ?? 'the replay'} is not a readable timeline (${e.code}): ${e.message}`, { cause: e });
    throw e;
  }
  return {
    path: '/replay/',
    title: raceTitle(channel),
    timeline: channel,
    source,
    // The channel lives as long as the server (channels are not removable); nothing else to free.
    async close() {},
  };
}
