// @tidewire/replay: race replays as Tidewire timelines. This part: the race generator
// (docs/replay-generator.md) and the `tidewire replay` commands.
export {
  generateRace,
  REPLAY_FORMAT,
  REPLAY_FORMAT_VERSION,
  GENERATOR,
  ATTRIBUTION,
  type GenerateInput,
  type GenerateOptions,
  type GenerateResult,
  type GenerateStats,
} from './generate/generate.ts';
export {
  BUNDLED_RACES,
  bundledRace,
  defaultDataRoot,
  generateRaceFiles,
  gzip,
  loadCircuitFile,
  loadRaceDir,
  loadVenue,
  type GenerateFilesOptions,
} from './generate/load.ts';
export {
  parseRaceFiles,
  type RaceData,
  type RaceFiles,
  type RaceInfo,
  type ResultRow,
  type ResultStatus,
  type GridRow,
  type PitStopRow,
  type FastestLapRow,
  type EntrantRow,
  type Direction,
} from './generate/f1db.ts';
export { parseCircuit, type Circuit } from './generate/circuit.ts';
export { signedArea, type Track, type StartMethod } from './generate/track.ts';
export { FIELDS, Status, STATUS_NAMES } from './generate/render.ts';
export type { ClassificationRow } from './generate/classification.ts';
export { readReplayInfo, type ReplayInfo, type ReplayEntity, type ReplayClassificationRow } from './generate/info.ts';
export { ReplayError, REPLAY_ERROR_CODES, type ReplayErrorCode } from './generate/errors.ts';
export {
  replayCommand,
  replayGenerateCommand,
  replayInfoCommand,
  createReplayCommand,
  createReplayGenerateCommand,
  createReplayInfoCommand,
  formatInfo,
  type Output,
} from './cli.ts';
export { mountReplay, replayDist, replayDistExists, DEFAULT_TIMELINE, type MountReplayOptions, type MountedReplay } from './serve/mount.ts';
export { bundledRaceFile, cachedRacePath, defaultCacheDir, DEFAULT_RACE, type RaceFile, type RaceFileOptions } from './serve/race-file.ts';
export { createReplayServeCommand, replayServeCommand, type ReplayServeOptions } from './serve/command.ts';

// Importers (docs/replay-import.md).
export * from './import/index.ts';
