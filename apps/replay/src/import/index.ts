// Importers (docs/replay-import.md): FastF1-style CSV → replay timeline, and F1 game UDP
// telemetry → live replay timeline (mountReplayIngest), with a raw-packet capture format.
export { ImportError, IMPORT_ERROR_CODES, type ImportErrorCode } from './errors.ts';
export { COL, IMPORTER, PALETTE, outlineFromPath, type Outline } from './common.ts';
export { CsvTokenizer, type CsvTokenizerOptions, type RecordSink } from './csv-tokenizer.ts';
export {
  importFastF1Csv,
  REQUIRED_COLUMNS,
  OPTIONAL_COLUMNS,
  BAD_ROW_CODES,
  SESSION_TIME_MAX_MS,
  DATE_MIN_MS,
  DATE_MAX_MS,
  type BadRowCode,
  type CsvImportOptions,
  type CsvImportResult,
  type CsvImportStats,
  type BadRow,
} from './csv-import.ts';
export { importFastF1CsvFile, type CsvFileImportOptions } from './csv-file.ts';
export { createReplayImportCsvCommand, replayImportCsvCommand, IMPORT_CSV_USAGE } from './cli.ts';
export {
  decodePacket,
  LAYOUTS,
  HEADER_SIZE,
  MAX_CARS,
  MAX_PACKET_BYTES,
  PacketId,
  PACKET_NAMES,
  SUPPORTED_FORMATS,
  DROP_REASONS,
  type DecodeResult,
  type DropReason,
  type Packet,
  type PacketFormat,
  type PacketHeader,
  type MotionPacket,
  type LapDataPacket,
  type CarTelemetryPacket,
  type ParticipantsPacket,
  type Participant,
} from './f1-udp.ts';
export { LiveRace, type LiveRaceOptions } from './live-race.ts';
export {
  CaptureWriter,
  readCapture,
  encodeCaptureHeader,
  encodeCaptureRecord,
  CAPTURE_MAGIC,
  CAPTURE_VERSION,
  MAX_DATAGRAM_BYTES,
  type CaptureRecord,
  type CaptureInfo,
  type CaptureWriterOptions,
} from './capture.ts';
export {
  mountReplayIngest,
  DEFAULT_UDP_PORT,
  DEFAULT_CHANNEL,
  type ReplayIngest,
  type ReplayIngestOptions,
  type IngestStats,
  type CaptureReplayResult,
} from './ingest.ts';
