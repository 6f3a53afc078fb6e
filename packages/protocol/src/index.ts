// @tidewire/protocol: the Tidewire wire format (docs/protocol.md). Isomorphic: no Node or DOM APIs.
export * from './errors.ts';
export * from './frames.ts';
export * from './snapshot.ts';
export { MAX_NESTING, pack, unpack } from './codec.ts';
export { FrameReader } from './varuint.ts';
export * from './timeline-frames.ts';
