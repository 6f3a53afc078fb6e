// Data from the audio thread to the UI without a message per block. With SharedArrayBuffer
// (cross-origin isolated pages): two ringbuf.js SPSC rings, raw output samples for the scope and
// the spectrum (the UI runs the FFT) and per-block meters [peak, rms, gain reduction dB]. When a
// ring is full the audio thread drops what does not fit: a UI that stops reading never blocks
// or slows it. Without SharedArrayBuffer: the same data batched into one port message every
// ~50 ms (that path allocates a message per batch; it is the fallback, flagged to the UI).
import { RingBuffer } from 'ringbuf.js';

export const METER_STRIDE = 3;
export const DEFAULT_SCOPE_CAPACITY = 1 << 15;
export const DEFAULT_METER_CAPACITY = 1024 * METER_STRIDE;
export const MAX_TAP_CAPACITY = 1 << 22;
/** Fallback batches: at most one message per this many seconds. */
export const BATCH_SECONDS = 0.05;

export interface TapsMessage {
  type: 'taps';
  scope: Float32Array;
  meters: Float32Array;
}

function ring(sab: SharedArrayBuffer): RingBuffer {
  return new RingBuffer(sab, Float32Array);
}

export function tapStorage(capacity: number): SharedArrayBuffer {
  return RingBuffer.getStorageForCapacity(capacity, Float32Array);
}

/** Audio-thread side. */
export class TapWriter {
  private readonly scopeRing: RingBuffer | null;
  private readonly meterRing: RingBuffer | null;
  private readonly post: ((msg: TapsMessage) => void) | null;
  private readonly batchScope: Float32Array;
  private readonly batchMeters: Float32Array;
  private scopeFill = 0;
  private meterFill = 0;
  /** Samples and meter frames dropped because the UI side was full. */
  dropped = 0;

  /** Shared rings when both storages are given; otherwise batches handed to `post`. */
  constructor(scopeSab: SharedArrayBuffer | null, meterSab: SharedArrayBuffer | null, post: (msg: TapsMessage) => void, sampleRate: number, block: number) {
    if (scopeSab !== null && meterSab !== null) {
      this.scopeRing = ring(scopeSab);
      this.meterRing = ring(meterSab);
      this.post = null;
      this.batchScope = new Float32Array(0);
      this.batchMeters = new Float32Array(0);
    } else {
      this.scopeRing = null;
      this.meterRing = null;
      this.post = post;
      const blocks = Math.max(1, Math.ceil((BATCH_SECONDS * sampleRate) / block));
      this.batchScope = new Float32Array(blocks * block);
      this.batchMeters = new Float32Array(blocks * METER_STRIDE);
    }
  }

  get shared(): boolean {
    return this.scopeRing !== null;
  }

  /** One block: its samples and its meters [peak, rms, gain reduction dB]. */
  write(out: Float32Array, n: number, m: Float32Array): void {
    const scopeRing = this.scopeRing;
    if (scopeRing !== null) {
      this.dropped += n - scopeRing.push(out, n);
      if (this.meterRing!.availableWrite() >= METER_STRIDE) this.meterRing!.push(m, METER_STRIDE);
      else this.dropped += METER_STRIDE;
      return;
    }
    const scope = this.batchScope;
    for (let i = 0; i < n; i++) scope[this.scopeFill + i] = out[i];
    this.scopeFill += n;
    for (let i = 0; i < METER_STRIDE; i++) this.batchMeters[this.meterFill + i] = m[i];
    this.meterFill += METER_STRIDE;
    if (this.scopeFill + n > this.batchScope.length || this.meterFill + METER_STRIDE > this.batchMeters.length) this.flush();
  }

  /** Sends what the fallback batch holds (no-op on the shared path). */
  flush(): void {
    if (this.post === null || this.scopeFill === 0) return;
    this.post({ type: 'taps', scope: this.batchScope.slice(0, this.scopeFill), meters: this.batchMeters.slice(0, this.meterFill) });
    this.scopeFill = 0;
    this.meterFill = 0;
  }
}

/** Fallback-side queue on the main thread: keeps the newest `capacity` values. */
class FloatFifo {
  private readonly buf: Float32Array;
  private start = 0;
  private count = 0;
  dropped = 0;

  constructor(capacity: number) {
    this.buf = new Float32Array(capacity);
  }

  available(): number {
    return this.count;
  }

  push(src: Float32Array, stride: number): void {
    const cap = this.buf.length - (this.buf.length % stride);
    for (let i = 0; i < src.length; i++) {
      if (this.count === cap) {
        // Drop the oldest whole frame so meter triplets stay aligned.
        this.start = (this.start + stride) % cap;
        this.count -= stride;
        this.dropped += stride;
      }
      this.buf[(this.start + this.count) % cap] = src[i];
      this.count++;
    }
  }

  pop(dst: Float32Array, stride: number): number {
    const cap = this.buf.length - (this.buf.length % stride);
    let n = Math.min(dst.length, this.count);
    n -= n % stride;
    for (let i = 0; i < n; i++) dst[i] = this.buf[(this.start + i) % cap];
    this.start = (this.start + n) % cap;
    this.count -= n;
    return n;
  }
}

/** Main-thread side: the same reads whichever path the data takes. */
export class TapReader {
  /** True: SharedArrayBuffer rings; false: port batches (show the UI's fallback notice). */
  readonly shared: boolean;
  private readonly scopeRing: RingBuffer | null;
  private readonly meterRing: RingBuffer | null;
  private readonly scopeFifo: FloatFifo | null;
  private readonly meterFifo: FloatFifo | null;

  constructor(scopeSab: SharedArrayBuffer | null, meterSab: SharedArrayBuffer | null, scopeCapacity: number, meterCapacity: number) {
    this.shared = scopeSab !== null && meterSab !== null;
    this.scopeRing = this.shared ? ring(scopeSab!) : null;
    this.meterRing = this.shared ? ring(meterSab!) : null;
    this.scopeFifo = this.shared ? null : new FloatFifo(scopeCapacity);
    this.meterFifo = this.shared ? null : new FloatFifo(meterCapacity);
  }

  /** Feeds a fallback batch (the lab wires the port to this). */
  receive(msg: TapsMessage): void {
    this.scopeFifo?.push(msg.scope, 1);
    this.meterFifo?.push(msg.meters, METER_STRIDE);
  }

  /** Output samples waiting for readScope. */
  availableScope(): number {
    return this.scopeRing !== null ? this.scopeRing.availableRead() : this.scopeFifo!.available();
  }

  /** Pops up to dst.length output samples; returns how many. */
  readScope(dst: Float32Array): number {
    return this.scopeRing !== null ? this.scopeRing.pop(dst) : this.scopeFifo!.pop(dst, 1);
  }

  /** Pops whole meter frames [peak, rms, gain reduction dB] (up to dst.length values); returns the values read. */
  readMeters(dst: Float32Array): number {
    if (this.meterRing !== null) {
      const frames = Math.floor(Math.min(dst.length, this.meterRing.availableRead()) / METER_STRIDE);
      return frames === 0 ? 0 : this.meterRing.pop(dst, frames * METER_STRIDE);
    }
    return this.meterFifo!.pop(dst, METER_STRIDE);
  }
}
