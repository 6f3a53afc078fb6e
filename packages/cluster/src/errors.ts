// The error registry of @tidewire/cluster (docs/cluster.md §4). A Redis script refuses a write
// with an error reply whose first word is one of these codes; `fromScriptReply` maps it back.
import { defineErrors } from '@tidewire/base';

export const ClusterErrorCodes = {
  TW_CLUSTER_LEASE_HELD: { description: 'Another process owns the channel: its lease has not expired (§4 acquire).' },
  TW_CLUSTER_FENCE_STALE: { description: "A write with a fencing token that is no longer the channel's: this process lost ownership (§4)." },
  TW_CLUSTER_EPOCH: { description: "A write for an epoch other than the channel's current one in Redis (§4)." },
  TW_CLUSTER_OFFSET: { description: 'An append whose offset does not follow the last appended batch (§4 append).' },
  TW_CLUSTER_BAD_NAME: { description: 'A channel name that is empty or longer than 128 UTF-8 bytes (§2).' },
  TW_CLUSTER_BAD_OPTION: { description: 'A ClusterNode option that cannot work: a request channel (§9) that takes no client input.' },
  TW_CLUSTER_BAD_DATA: { description: 'A key, stream entry or message in Redis that does not parse as §2–§3 say.' },
  TW_CLUSTER_HASH_MISMATCH: { description: "A replica's root hash differs from the owner's after a batch or a snapshot (§6)." },
  TW_CLUSTER_REDIS: { description: 'Redis refused or failed a command for a reason of its own (connection lost, out of memory).' },
} as const;

export type ClusterErrorCode = keyof typeof ClusterErrorCodes;

export class ClusterError extends defineErrors('ClusterError', ClusterErrorCodes).Error {}
