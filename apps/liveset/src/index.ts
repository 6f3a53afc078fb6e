// @tidewire/liveset: reads Ableton Live Sets (.als) into a Tidewire tree.
export { readAls, parseAls, DEFAULT_LIMITS } from './als/parse.ts';
export type { LiveSet, ParseAlsOptions } from './als/parse.ts';
export { summarize } from './als/summary.ts';
export type { AlsSummary, AlsTrackSummary } from './als/summary.ts';
export { AlsError, ALS_ERROR_CODES } from './als/errors.ts';
export type { AlsErrorCode } from './als/errors.ts';
export type { AlsNode, AttrValue } from './als/node.ts';
export { alsInfoCommand, createAlsInfoCommand, formatSummary } from './cli.ts';
export type { Output } from './cli.ts';

// The Live Set mirror (server side): docs/liveset-osc.md.
export { mountLiveSet } from './mount.ts';
export type { MountLiveSetOptions, MountedLiveSet } from './mount.ts';
export { LiveSetMirror, TREE_CHANNEL, DEFAULT_OSC_PORT, DEFAULT_LIVE_PORT } from './mirror.ts';
export { EVENTS_CHANNEL, CONTROL_CHANNEL } from './events.ts';
export type { LiveSetMirrorOptions } from './mirror.ts';
export type { AbletonOscOptions } from './abletonosc/link.ts';
export type {
  AlsErrorEvent,
  BeatEvent,
  CursorEvent,
  LiveEvent,
  LiveSetControlKey,
  LiveSetControls,
  LiveSetEventKey,
  LiveSetEvents,
  LiveStatus,
  TransportEvent,
} from './events.ts';
export { CONTROL_KEYS } from './control.ts';
export { Simulator } from './simulator.ts';
export type { SimulatorOptions } from './simulator.ts';
export { IndexMap } from './index-map.ts';
export { LiveSetError, LIVESET_ERROR_CODES } from './errors.ts';
export type { LiveSetErrorCode } from './errors.ts';
export { DROP_CODES, CONTROL_REJECT_REASONS } from './metrics.ts';
export type { ControlRejectReason } from './metrics.ts';
export { OSC_DROP_CODES, OscDecodeError, type OscDropCode } from './osc/errors.ts';
export { livesetCommand, createLivesetCommand } from './cli-liveset.ts';
export { BUNDLED_SET } from './fixtures.ts';
export type { OscPeer } from './osc/udp.ts';
export { encodeOsc, decodeOsc, int as oscInt, float as oscFloat, str as oscStr, bool as oscBool } from './osc/codec.ts';
export type { OscArg, OscMessage } from './osc/codec.ts';
