// @tidewire/client: the connection core and tree replicas (isomorphic), the main-thread
// TreeStore, the worker split, perf metering and thin Svelte / React adapters.
// Importing it touches no DOM global: browser-only features check at call time.
export { TidewireClient } from './client.ts';
export type { ClientOptions, ClientEvents, ConnectionState, FrameInfo } from './client.ts';
export { TreeSubscription } from './tree-subscription.ts';
export type { SubscriptionStatus, SnapshotEvent, OpsEvent, ProgressEvent, TreeSubscriptionEvents } from './tree-subscription.ts';
export type { EventListener } from './events-subscription.ts';
export { Backoff, DEFAULT_RECONNECT, reconnectOptions } from './backoff.ts';
export type { ReconnectOptions } from './backoff.ts';
export { ClientError, ClientErrorCodes, isClientErrorCode } from './errors.ts';
export type { ClientErrorCode } from './errors.ts';
export { Emitter } from './emitter.ts';
export { ManualTimers, realTimers } from './timers.ts';
export type { Timers } from './timers.ts';
export type { WaitOptions } from './waiters.ts';
export type { SocketLike, SocketConstructor } from './socket.ts';
export { TreeStore } from './store.ts';
export type { TreeStoreOptions, StoreStatus, StoreProgress, SnapshotInfo, NodeListener } from './store.ts';
export type { StoreMessage, StoreState, ErrorInfo } from './store-messages.ts';
export { StoreFeed } from './store-feed.ts';
export type { StoreFeedOptions } from './store-feed.ts';
export { bindTreeStore } from './bind.ts';
export type { BindOptions } from './bind.ts';
export { frameScheduler, manualScheduler } from './scheduler.ts';
export type { FrameScheduler } from './scheduler.ts';
export type { NodeView } from './views.ts';
export { createWorkerClient } from './worker-client.ts';
export type { WorkerClient, WorkerClientOptions } from './worker-client.ts';
export { startWorkerHost } from './worker-host.ts';
export type { WorkerHostOptions } from './worker-host.ts';
export type { MessagePortLike } from './worker-messages.ts';
export { PerfMonitor } from './perf.ts';
export type { PerfStats, PerfSample, TimingStats } from './perf.ts';
export { formatPerf, mountPerfHud } from './hud.ts';
export { nodeStore, rootStore, statusStore, perfStore } from './svelte.ts';
export type { Readable } from './svelte.ts';
export { createTidewireHooks } from './react.ts';
export type { ReactHooksLike, TidewireHooks } from './react.ts';
