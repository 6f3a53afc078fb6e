export * from './errors.ts';
export * from './keys.ts';
export * from './batch.ts';
export { clusterScripts, scriptError, type ClusterScripts } from './scripts.ts';
export { ChannelOwner, type ChannelOwnerOptions, type OwnerState, type StoredSnapshot } from './owner.ts';
export { ChannelReplica, type ChannelReplicaOptions, type ReplicaListener, type ReplicaPosition, type ReplicaState, type ReplicaStats } from './replica.ts';
export { PubSubRouter, type PubListener } from './pubsub.ts';
export { ClusterNode, type ClusterNodeOptions, type ClusterEvent, type ChannelRole, type RedisState, type ServeInClusterOptions } from './node.ts';
export {
  EventsFanout,
  RequestRoute,
  MAX_FANOUT_MESSAGE_BYTES,
  encodeEventMessage,
  decodeEventMessage,
  encodeRequestMessage,
  decodeRequestMessage,
  type EventMessage,
  type RequestMessage,
  type FanoutStats,
} from './events.ts';
