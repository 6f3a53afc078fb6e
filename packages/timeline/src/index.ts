// @tidewire/timeline: schemas, the frame codec and the segment file of docs/timeline-format.md.
// Isomorphic: no Node or DOM imports; compression is injected.

export { TimelineError, TimelineErrorCodes, type TimelineErrorCode } from './errors.ts';
export { LIMITS, MAX_F_QUANT } from './limits.ts';
export { crc32 } from './crc32.ts';
export { FIELD_TYPES, validateSchema, encodeSchema, decodeSchema, type FieldType, type FieldDef, type EntityDef, type TimelineSchema } from './schema.ts';
export { compileLayout, type Layout } from './layout.ts';
export { FrameKind, isKeyframe } from './frame-format.ts';
export { FrameEncoder, type FrameEncoderOptions } from './frame-encoder.ts';
export { FrameDecoder } from './frame-decoder.ts';
export { encodeSegmentPayload, parseSegmentPayload, type Segment } from './segment.ts';
export { MAGIC, FORMAT_VERSION, Opcode, encodeRecord } from './records.ts';
export {
  TimelineWriter,
  type Compress,
  type Decompress,
  type TimelineWriterOptions,
  type SegmentInfo,
  type WrittenSegment,
  type AppendedFrame,
  type OpenSegment,
} from './writer.ts';
export { TimelineReader, type TimelineReaderOptions } from './reader.ts';
