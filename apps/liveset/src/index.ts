// @tidewire/liveset: reads Ableton Live Sets (.als) into a Tidewire tree.
export { readAls, parseAls, DEFAULT_LIMITS } from './als/parse.ts';
export type { LiveSet, ParseAlsOptions } from './als/parse.ts';
export { summarize } from './als/summary.ts';
export type { AlsSummary, AlsTrackSummary } from './als/summary.ts';
export { AlsError, ALS_ERROR_CODES, isAlsError } from './als/errors.ts';
export type { AlsErrorCode } from './als/errors.ts';
export type { AlsNode, AttrValue } from './als/node.ts';
export { alsInfoCommand, createAlsInfoCommand, formatSummary } from './cli.ts';
export type { Output } from './cli.ts';
