// The Redis keys of one channel (docs/cluster.md §2). Every key carries the same hash tag so a
// Redis Cluster keeps them on one slot and one script can touch them all.
import { ClusterError } from './errors.ts';

/** docs/protocol.md §4.3: channel names are at most 128 UTF-8 bytes. */
export const MAX_CHANNEL_NAME_BYTES = 128;

export interface ChannelKeys {
  readonly meta: string;
  readonly lease: string;
  readonly fence: string;
  readonly log: string;
  readonly snap: string;
  readonly pub: string;
}

/** The keys of an events channel (§9). */
export interface EventsKeys {
  /** pub/sub: the owner's values as they are published */
  readonly pub: string;
  /** hash: the latest value of every key */
  readonly last: string;
  /** pub/sub: client requests on their way to the owner */
  readonly req: string;
}

const utf8 = new TextEncoder();

/**
 * The hash-tagged key prefix of channel `name`. The tag is the name percent-encoded: names are
 * untrusted text, and encodeURIComponent also encodes `{` and `}`, so no name ends the tag early
 * or makes two channels' keys equal.
 */
function channelTag(name: string, prefix: string): string {
  const bytes = utf8.encode(name).length;
  if (bytes === 0 || bytes > MAX_CHANNEL_NAME_BYTES) {
    throw new ClusterError('TW_CLUSTER_BAD_NAME', `channel name must be 1–${MAX_CHANNEL_NAME_BYTES} UTF-8 bytes, got ${bytes}`);
  }
  return `${prefix}:{${encodeURIComponent(name)}}`;
}

/** The keys of tree channel `name` (§2). */
export function channelKeys(name: string, prefix = 'tw'): ChannelKeys {
  const tag = channelTag(name, prefix);
  return { meta: `${tag}:meta`, lease: `${tag}:lease`, fence: `${tag}:fence`, log: `${tag}:log`, snap: `${tag}:snap`, pub: `${tag}:pub` };
}

/** The keys of events channel `name` (§9). Tree and events channels share one namespace on a server, so no two collide. */
export function eventsKeys(name: string, prefix = 'tw'): EventsKeys {
  const tag = channelTag(name, prefix);
  return { pub: `${tag}:ev`, last: `${tag}:last`, req: `${tag}:req` };
}
