// The main-thread entry (`@tidewire/client/main`): what a page needs when the connection runs
// in the worker. It imports neither the protocol nor msgpack, so bundlers keep them in the
// worker chunk only (the root entry re-exports the connection core, whose codec modules have
// side effects and are therefore never tree-shaken out of the page bundle).
export { createWorkerClient } from './worker-client.ts';
export type { WorkerClient, WorkerClientOptions } from './worker-client.ts';
export { TreeStore } from './store.ts';
export type { TreeStoreOptions, StoreStatus, StoreProgress, SnapshotInfo, NodeListener } from './store.ts';
export type { StoreMessage, StoreState, ReplicaState, ErrorInfo } from './store-messages.ts';
export type { SnapshotOrder } from './store-feed.ts';
export type { NodeView } from './views.ts';
export { PerfMonitor } from './perf.ts';
export type { PerfStats, PerfSample, TimingStats, TimelineStats, SnapshotLoad } from './perf.ts';
export { SOCKET_OPEN_MARK, SNAPSHOT_APPLIED_MARK } from './marks.ts';
export { Reveal, RevealQueue } from './reveal.ts';
export type { RevealOptions, RevealQueueOptions } from './reveal.ts';
// Timeline player: the engine (codec, connection) runs in its own worker.
export * from './player/index.ts';
export { formatPerf, mountPerfHud } from './hud.ts';
export { nodeStore, rootStore, statusStore, perfStore } from './svelte.ts';
export type { Readable } from './svelte.ts';
export { createTidewireHooks } from './react.ts';
export type { ReactHooksLike, TidewireHooks } from './react.ts';
export { ClientError, ClientErrorCodes, isClientErrorCode } from './errors.ts';
export type { ClientErrorCode } from './errors.ts';
export type { ConnectionState } from './client.ts';
export { frameScheduler } from './scheduler.ts';
export type { FrameScheduler } from './scheduler.ts';
