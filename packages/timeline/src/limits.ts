// Caps on everything a file or a schema can make a reader allocate (docs/timeline-format.md §3.3,
// §5.9). A reader checks a length against these and against the bytes it has before using it.

export const LIMITS = {
  /** Fields per schema (columns of a frame). */
  maxFields: 256,
  /** Entities per schema (rows of a frame). */
  maxEntities: 4096,
  /** entities × fields. */
  maxCells: 65536,
  /** UTF-8 bytes of the schema name, a field name, an entity id or an entity name. */
  maxNameBytes: 128,
  /** UTF-8 bytes of a field unit. */
  maxUnitBytes: 32,
  /** UTF-8 bytes of any other string in entity metadata or `static`. */
  maxStringBytes: 1 << 20,
  /** Nesting of arrays/objects inside one metadata value or `static`. */
  maxJsonDepth: 32,
  /** Values (scalars, arrays, objects) in all entity metadata plus `static`. */
  maxJsonNodes: 1 << 20,
  /** Bytes of the encoded schema (the SCHEMA record's content). */
  maxSchemaBytes: 4 << 20,
  /** rateHz is in (0, maxRateHz]. */
  maxRateHz: 1000,
  /** Frames per segment. */
  maxSegmentFrames: 65535,
  /** Decompressed bytes of one segment payload. */
  maxSegmentBytes: 64 << 20,
  /** Bytes of one encoded frame (a reader refuses a longer frame length). */
  maxFrameBytes: 16 << 20,
} as const;

/** Largest |q| of an 'f' field (§3.1): keeps every second-order residual's zigzag below 2^53. */
export const MAX_F_QUANT = 2 ** 48 - 1;
