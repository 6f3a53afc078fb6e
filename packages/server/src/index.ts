// @tidewire/server: Fastify + ws server for the Tidewire protocol (Node only).
export { createServer, SERVER_CAPABILITIES, TIMELINE_CAPABILITY } from './server.ts';
export type { TidewireServer } from './server.ts';
export type { ServerOptions, ServerLimits, OpLogOptions } from './options.ts';
export { DEFAULT_SERVER_LIMITS, DEFAULT_OP_LOG, DEFAULT_TICK_MS, isLoopbackHost } from './options.ts';
export type { TreeChannel, ReadonlyTree, SnapshotEntry } from './tree-channel.ts';
export type { EventsChannel, EventsChannelOptions } from './events-channel.ts';
export type { TimelineChannel, TimelineStats } from './timeline-channel.ts';
export type { TimelineOptions, TimelineSource } from './timeline-options.ts';
export { MAX_RANGE_FRAMES, MAX_RANGE_BYTES } from './timeline-http.ts';
export { MAX_CREDIT_FRAMES, MAX_CREDIT_BYTES } from './timeline-session.ts';
export type { ConnectionInfo } from './channel.ts';
export type { ConnectionStats } from './connection.ts';
export type { StaticOptions } from './static.ts';
export { isHashedAsset, cacheControlFor } from './static.ts';
export { isCompressibleType, COMPRESS_THRESHOLD_BYTES } from './compress.ts';
export { ServerError, ServerErrorCodes } from './errors.ts';
export type { ServerErrorCode } from './errors.ts';
export { waitForStop } from './wait-for-stop.ts';
