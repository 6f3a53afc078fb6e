// Bounded replay log of one tree channel: the encoded OPS frames of the most recent batches,
// capped by count and bytes. Offsets are contiguous, so the log is a window [first, last].

export class OpLog {
  private frames: Uint8Array[] = [];
  private head = 0;
  private bytesHeld = 0;
  private lastOffset = 0;
  private readonly maxBatches: number;
  private readonly maxBytes: number;

  constructor(maxBatches: number, maxBytes: number) {
    this.maxBatches = maxBatches;
    this.maxBytes = maxBytes;
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /** Offset of the oldest batch held (lastOffset + 1 when empty). */
  get firstOffset(): number {
    return this.lastOffset - this.length + 1;
  }

  /** Records the frame of batch `offset`, which must follow the previous one. */
  append(offset: number, frame: Uint8Array): void {
    if (this.length > 0 && offset !== this.lastOffset + 1) throw new RangeError(`op log offset ${offset} does not follow ${this.lastOffset}`);
    this.lastOffset = offset;
    if (this.maxBatches === 0 || frame.length > this.maxBytes) {
      this.clear(offset);
      return;
    }
    this.frames.push(frame);
    this.bytesHeld += frame.length;
    while (this.length > this.maxBatches || this.bytesHeld > this.maxBytes) {
      this.bytesHeld -= this.frames[this.head]!.length;
      this.frames[this.head++] = undefined as unknown as Uint8Array;
    }
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The frames of batches after `from` up to the last one, or undefined when the log no longer
   * holds batch from + 1 (or `from` is ahead of the log).
   */
  since(from: number): Uint8Array[] | undefined {
    if (from > this.lastOffset) return undefined;
    if (from === this.lastOffset) return [];
    if (from + 1 < this.firstOffset) return undefined;
    return this.frames.slice(this.head + (from + 1 - this.firstOffset));
  }

  /** Empties the log; `offset` is the position the next append follows. */
  clear(offset = 0): void {
    this.frames = [];
    this.head = 0;
    this.bytesHeld = 0;
    this.lastOffset = offset;
  }
}
