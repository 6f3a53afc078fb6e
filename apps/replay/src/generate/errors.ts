// The replay generator's error registry. Codes are stable: the CLI prints them and tests compare
// them, never the message. docs/replay-generator.md §8 lists them (a test checks that).
import { defineErrors } from '@tidewire/base';

export const REPLAY_ERROR_CODES = {
  REPLAY_BAD_OPTION: { description: 'an option of generateRace or of a replay command is invalid' },
  REPLAY_BAD_DATA: { description: 'a race file is not valid YAML, lacks a field, has a value out of range, or contradicts another file' },
  REPLAY_BAD_CIRCUIT: { description: 'the circuit file is not a GeoJSON LineString of valid lon/lat points forming a plausible closed circuit' },
  REPLAY_DATA_MISSING: { description: 'a file or folder the command needs does not exist (e.g. the bundled data in apps/replay/data)' },
  REPLAY_UNSOLVABLE: { description: 'no consistent lap schedule reproduces the results (e.g. a lead-lap gap longer than a lap)' },
  REPLAY_BAD_FILE: { description: 'a file is not a race replay written by the generator (not a timeline, or its metadata is missing)' },
} as const;

export type ReplayErrorCode = keyof typeof REPLAY_ERROR_CODES;

export class ReplayError extends defineErrors('ReplayError', REPLAY_ERROR_CODES).Error {}
