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

const utf8 = new TextEncoder();

/**
 * The keys of channel `name`. The tag is the name percent-encoded: names are untrusted text, and
 * encodeURIComponent also encodes `{` and `}`, so no name ends the tag early or makes two
 * channels' keys equal.
 */
export function channelKeys(name: string, prefix = 'tw'): ChannelKeys {
  const bytes = utf8.encode(name).length;
  if (bytes === 0 || bytes > MAX_CHANNEL_NAME_BYTES) {
    throw new ClusterError('TW_CLUSTER_BAD_NAME', `channel name must be 1–${MAX_CHANNEL_NAME_BYTES} UTF-8 bytes, got ${bytes}`);
  }
  const tag = `${prefix}:{${encodeURIComponent(name)}}`;
  return { meta: `${tag}:meta`, lease: `${tag}:lease`, fence: `${tag}:fence`, log: `${tag}:log`, snap: `${tag}:snap`, pub: `${tag}:pub` };
}
