// @tidewire/server: Fastify + ws server for the Tidewire protocol (Node only).
export { createServer, SERVER_CAPABILITIES } from './server.ts';
export type { TidewireServer } from './server.ts';
export type { ServerOptions, ServerLimits, OpLogOptions } from './options.ts';
export { DEFAULT_SERVER_LIMITS, DEFAULT_OP_LOG, DEFAULT_TICK_MS, isLoopbackHost } from './options.ts';
export type { TreeChannel, ReadonlyTree, SnapshotEntry } from './tree-channel.ts';
export type { EventsChannel, EventsChannelOptions } from './events-channel.ts';
export type { ConnectionInfo } from './channel.ts';
export type { ConnectionStats } from './connection.ts';
export type { StaticOptions } from './static.ts';
export { isHashedAsset, cacheControlFor } from './static.ts';
export { ServerError, ServerErrorCodes } from './errors.ts';
export type { ServerErrorCode } from './errors.ts';
