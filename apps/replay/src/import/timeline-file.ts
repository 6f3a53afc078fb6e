// The live timeline written to a file as it is recorded (docs/replay-import.md §3.7). The file
// is a segment file (docs/timeline-format.md §5) growing in order: MAGIC • HEADER • SCHEMA at
// once, then each SEGMENT record as soon as the segment is sealed and compressed, and INDEX •
// FOOTER • MAGIC at a clean close. A recorder killed at any moment leaves a file that
// `TimelineReader.open(file, { recover: true })` reads up to its last complete segment (§5.9
// there). A write that fails (the disk is full, the file size limit is reached) stops the file,
// not the ingest: the error is reported once with its code, the live timeline and the server carry
// on, and what was written stays readable the same way.
import { closeSync, openSync, writeSync } from 'node:fs';
import { gzip } from 'node:zlib';
import { TimelineWriter, type TimelineSchema, type WrittenSegment } from '@tidewire/timeline';
import { ImportError, writeError } from './errors.ts';

function gzipAsync(raw: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => gzip(raw, (err, out) => (err ? reject(err) : resolve(new Uint8Array(out.buffer, out.byteOffset, out.length)))));
}

/** Writes all of `bytes` at the end of the file (a short write is retried; the next call reports ENOSPC or EFBIG). */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    // Not expected from a regular file (errors throw), but a loop that cannot end must not exist.
    if (n === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

export type TimelineFileState = 'recording' | 'failed' | 'closed';

export interface TimelineFileOptions {
  /** Frames per segment: the live channel's, so both hold the same segments. */
  keyframeInterval?: number;
  /** Called once, when a write fails; the recording stops there. */
  onError(error: ImportError): void;
}

export class TimelineFileRecorder {
  readonly path: string;
  state: TimelineFileState = 'recording';
  /** The failure that stopped the file (IMPORT_DISK_FULL, IMPORT_WRITE_FAILED), or null. */
  error: ImportError | null = null;
  /** Segments in the file, and its size. */
  segments = 0;
  bytes = 0;
  private readonly fd: number;
  private readonly writer: TimelineWriter;
  private readonly onError: (error: ImportError) => void;

  /** Creates the file (it must not exist) and writes its header; throws IMPORT_FILE_EXISTS, IMPORT_BAD_OPTION, IMPORT_DISK_FULL, IMPORT_WRITE_FAILED. */
  constructor(path: string, schema: TimelineSchema, options: TimelineFileOptions) {
    this.path = path;
    this.onError = options.onError;
    this.writer = new TimelineWriter(schema, {
      compress: gzipAsync,
      ...(options.keyframeInterval !== undefined ? { keyframeInterval: options.keyframeInterval } : {}),
      onSegment: (s) => this.onSegment(s),
    });
    try {
      // Never over an existing file: a recorder restarted after a crash (same command line) would
      // otherwise truncate the recording the crashed one left.
      this.fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as { code?: unknown }).code === 'EEXIST')
        throw new ImportError('IMPORT_FILE_EXISTS', `${path} exists (an earlier recording?): move it away or name another file`, { cause: e });
      throw new ImportError('IMPORT_BAD_OPTION', `cannot create the timeline file ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      this.write(this.writer.header);
    } catch (e) {
      closeSync(this.fd);
      throw writeError(path, e);
    }
  }

  /** Records one frame (the one the live channel took, at the same time); a no-op once the file failed. */
  append(values: Float64Array, timeMs: number): void {
    if (this.state !== 'recording') return;
    this.writer.append(timeMs, values);
  }

  /**
   * Seals the open segment, writes the rest and the INDEX • FOOTER • MAGIC, closes the file.
   * Never throws: a failure is reported through onError and left in `error`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    try {
      if (this.state === 'recording') {
        const whole = await this.writer.finish();
        // Every SEGMENT record is in the file already (onSegment, in order): the tail is what follows them.
        if (this.state === 'recording') this.write(whole.subarray(this.bytes));
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.state = 'closed';
      closeSync(this.fd);
    }
  }

  private onSegment(s: WrittenSegment): void {
    if (this.state !== 'recording') return;
    try {
      this.write(s.record);
      this.segments++;
    } catch (e) {
      this.fail(e);
    }
  }

  // Synchronous: a segment record is a few kilobytes every two seconds, and a write either lands
  // whole before the next one starts or fails; the file never holds a record after a gap.
  private write(bytes: Uint8Array): void {
    writeAll(this.fd, bytes);
    this.bytes += bytes.length;
  }

  private fail(e: unknown): void {
    if (this.error !== null) return;
    this.error = writeError(this.path, e);
    this.state = 'failed';
    this.onError(this.error);
  }
}
