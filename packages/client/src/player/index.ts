// Timeline playback (docs/timeline-format.md §W): createPlayer and what it is made of.
export { createPlayer } from './create.ts';
export type { CreatePlayerOptions } from './create.ts';
export { Player } from './player.ts';
export { MIN_SPEED, MAX_SPEED, MAX_STEPS, MAX_LEAD_MS, DEFAULT_LEAD_MS, CONSUMED_EVERY_MS } from './options.ts';
export type { PlayerOptions, SeekTarget, FrameEvent, PlayerMetrics } from './options.ts';
export type { PlayerState, PlayerStateStore } from './state.ts';
export { FrameBuffer } from './frame-buffer.ts';
export type { BufferedRange, DecodedBlock } from './frame-buffer.ts';
export { interpolationMask, interpolateInto } from './interpolate.ts';
export type { InterpolationOverrides } from './interpolate.ts';
export { Timebase } from './timebase.ts';
export type { TimelineMeta, SegmentEntry } from './timebase.ts';
export { planPrefetch } from './prefetch.ts';
export type { PrefetchInput, PrefetchPlan } from './prefetch.ts';
export type { TransferPort } from './messages.ts';
