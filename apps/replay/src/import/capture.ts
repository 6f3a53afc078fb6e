// UDP capture files (docs/replay-import.md §4): the raw datagrams as they arrived, with their
// arrival times, so a session can be replayed into the same pipeline later.
//
//   capture := MAGIC • version:u16 • flags:u16 • startEpochMs:f64 • record*
//   MAGIC   := 89 54 57 43 41 50 0d 0a            ; 0x89 "TWCAP" CR LF
//   record  := length:u32 • recvTimeMs:f64 • datagram[length]
//
// Little-endian. recvTimeMs is milliseconds since the capture started (monotonic clock), never
// decreasing. A record cut short at the end of the file (the recorder was killed) ends the
// capture without an error; anything else that does not parse is IMPORT_BAD_CAPTURE.
import { createReadStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { openOutputFile } from '@tidewire/cli';
import { ImportError, writeError } from './errors.ts';

export const CAPTURE_MAGIC = Uint8Array.of(0x89, 0x54, 0x57, 0x43, 0x41, 0x50, 0x0d, 0x0a);
export const CAPTURE_VERSION = 1;
export const CAPTURE_HEADER_BYTES = /* magic */ 8 + /* version */ 2 + /* flags */ 2 + /* startEpochMs */ 8;
export const RECORD_HEADER_BYTES = /* length */ 4 + /* recvTimeMs */ 8;
/** The largest UDP payload over IPv4. */
export const MAX_DATAGRAM_BYTES = 65_507;

export function encodeCaptureHeader(startEpochMs: number): Uint8Array {
  const out = new Uint8Array(CAPTURE_HEADER_BYTES);
  out.set(CAPTURE_MAGIC, 0);
  const v = new DataView(out.buffer);
  v.setUint16(8, CAPTURE_VERSION, true);
  v.setUint16(10, 0, true);
  v.setFloat64(12, startEpochMs, true);
  return out;
}

export function encodeCaptureRecord(datagram: Uint8Array, recvTimeMs: number): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + datagram.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, datagram.length, true);
  v.setFloat64(4, recvTimeMs, true);
  out.set(datagram, RECORD_HEADER_BYTES);
  return out;
}

export interface CaptureWriterOptions {
  /** Bytes waiting for the disk at most; datagrams arriving past it are dropped (and counted). Default 32 MiB. */
  maxBufferedBytes?: number;
  /** Called once when a write fails (IMPORT_DISK_FULL, IMPORT_WRITE_FAILED); every later datagram is dropped. */
  onError?: (error: ImportError) => void;
}

/**
 * Appends datagrams to a capture file. UDP cannot be slowed down, so a disk that falls behind loses
 * records rather than memory. The file is written in place (a killed recorder leaves every whole
 * record), and only a new path or a regular file is (docs/cli.md §7: CLI_OUT_NOT_REGULAR).
 */
export class CaptureWriter {
  readonly path: string;
  readonly startEpochMs = Date.now();
  private readonly start = performance.now();
  private readonly stream: WriteStream;
  private readonly maxBuffered: number;
  private error: ImportError | null = null;
  private lastMs = 0;
  records = 0;
  dropped = 0;

  /** Creates or truncates `path` (refused unless it is new or a regular file) and writes the header. */
  static async open(path: string, options: CaptureWriterOptions = {}): Promise<CaptureWriter> {
    const handle = await openOutputFile(path);
    return new CaptureWriter(path, handle.createWriteStream(), options);
  }

  private constructor(path: string, stream: WriteStream, options: CaptureWriterOptions) {
    this.path = path;
    this.maxBuffered = options.maxBufferedBytes ?? 32 * 1024 * 1024;
    this.stream = stream;
    this.stream.on('error', (e) => {
      if (this.error !== null) return;
      this.error = writeError(path, e);
      options.onError?.(this.error);
    });
    this.stream.write(encodeCaptureHeader(this.startEpochMs));
  }

  /** Milliseconds since the capture started. */
  now(): number {
    return performance.now() - this.start;
  }

  write(datagram: Uint8Array, recvTimeMs = this.now()): boolean {
    if (this.error !== null || this.stream.writableLength > this.maxBuffered || datagram.length > MAX_DATAGRAM_BYTES) {
      this.dropped++;
      return false;
    }
    // Times come from two clocks (live and replayed captures); keep the file's promise.
    const t = Math.max(this.lastMs, Number.isFinite(recvTimeMs) ? recvTimeMs : this.lastMs);
    this.lastMs = t;
    this.stream.write(encodeCaptureRecord(datagram, t));
    this.records++;
    return true;
  }

  /** Flushes and closes the file; rejects with the first write error (IMPORT_DISK_FULL, IMPORT_WRITE_FAILED). */
  async close(): Promise<void> {
    if (!this.stream.writableEnded) {
      this.stream.end();
      if (!this.stream.writableFinished && this.error === null) await once(this.stream, 'close').catch(() => {});
    }
    if (this.error !== null) throw this.error;
  }
}

export interface CaptureRecord {
  datagram: Uint8Array;
  recvTimeMs: number;
}

export interface CaptureInfo {
  startEpochMs: number;
  /** The file ended inside a record (a recorder stopped mid-write): the partial record was ignored. */
  truncatedTail: boolean;
}

function bad(path: string, offset: number, message: string): ImportError {
  return new ImportError('IMPORT_BAD_CAPTURE', `${path}: ${message} at byte ${offset}`);
}

/**
 * Streams a capture's records (64 KiB reads; never the whole file). `info` is filled in as the
 * file is read: the header at the first record, truncatedTail at the end.
 */
export async function* readCapture(path: string, info: Partial<CaptureInfo> = {}): AsyncGenerator<CaptureRecord> {
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    await once(stream, 'open');
  } catch (e) {
    throw new ImportError('IMPORT_DATA_MISSING', `${path} does not exist or cannot be read`, { cause: e });
  }
  let buf = new Uint8Array(0);
  let pos = 0; // read position in buf
  let offset = 0; // file offset of buf[0]
  let headerDone = false;
  let lastMs = 0;
  info.truncatedTail = false;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      // Keep only the unread tail, then append: a record never needs more than one datagram of lookbehind.
      const rest = buf.subarray(pos);
      const next = new Uint8Array(rest.length + chunk.length);
      next.set(rest, 0);
      next.set(chunk, rest.length);
      offset += pos;
      buf = next;
      pos = 0;
      const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      if (!headerDone) {
        if (buf.length < CAPTURE_HEADER_BYTES) continue;
        for (let i = 0; i < CAPTURE_MAGIC.length; i++) if (buf[i] !== CAPTURE_MAGIC[i]) throw bad(path, i, 'not a UDP capture (magic)');
        const version = v.getUint16(8, true);
        if (version !== CAPTURE_VERSION) throw bad(path, 8, `capture version ${version} is not supported (this reader reads ${CAPTURE_VERSION})`);
        const start = v.getFloat64(12, true);
        if (!Number.isFinite(start)) throw bad(path, 12, 'startEpochMs is not a number');
        info.startEpochMs = start;
        pos = CAPTURE_HEADER_BYTES;
        headerDone = true;
      }
      while (buf.length - pos >= RECORD_HEADER_BYTES) {
        const len = v.getUint32(pos, true);
        const t = v.getFloat64(pos + 4, true);
        if (len === 0 || len > MAX_DATAGRAM_BYTES) throw bad(path, offset + pos, `record length ${len}`);
        if (!Number.isFinite(t) || t < lastMs) throw bad(path, offset + pos + 4, `record time ${t} ms (the previous was ${lastMs})`);
        if (buf.length - pos - RECORD_HEADER_BYTES < len) break; // the rest comes with the next chunk
        const start = pos + RECORD_HEADER_BYTES;
        lastMs = t;
        pos = start + len;
        // A copy: the caller may keep it, and buf is replaced by the next read.
        yield { datagram: buf.slice(start, start + len), recvTimeMs: t };
      }
    }
  } finally {
    stream.destroy();
  }
  if (!headerDone) throw bad(path, 0, 'not a UDP capture (shorter than its header)');
  info.truncatedTail = pos < buf.length;
}
