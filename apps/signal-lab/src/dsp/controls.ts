// Controls that are not AudioParams travel main thread → audio thread through ringbuf.js's
// ParameterWriter/ParameterReader (a byte key and a float32 value per change, over a
// SharedArrayBuffer ring), or, without SharedArrayBuffer, as port messages. Both preserve
// order; the audio thread drains the ring at the start of every block, so a change lands on
// the next block boundary.
import { ParameterReader, ParameterWriter, RingBuffer } from 'ringbuf.js';
import { DspError } from './errors.ts';

/** Changes the ring holds (5 bytes each); a burst larger than this throws DSP_QUEUE_FULL. */
export const CONTROL_QUEUE_CHANGES = 256;
const CHANGE_BYTES = 5;

export interface ControlMessage {
  type: 'control';
  key: number;
  value: number;
}

export function controlStorage(): SharedArrayBuffer {
  return RingBuffer.getStorageForCapacity(CONTROL_QUEUE_CHANGES * CHANGE_BYTES, Uint8Array);
}

/** Main-thread side. */
export class ControlSender {
  private readonly writer: ParameterWriter | null;
  private readonly port: MessagePort;

  constructor(sab: SharedArrayBuffer | null, port: MessagePort) {
    this.writer = sab !== null ? new ParameterWriter(new RingBuffer(sab, Uint8Array)) : null;
    this.port = port;
  }

  send(key: number, value: number): void {
    if (this.writer === null) {
      const msg: ControlMessage = { type: 'control', key, value };
      this.port.postMessage(msg);
      return;
    }
    if (!this.writer.enqueueChange(key, value)) {
      throw new DspError('DSP_QUEUE_FULL', `control queue full (${CONTROL_QUEUE_CHANGES} changes pending); key ${key} not sent`);
    }
  }
}

/** Audio-thread side of the shared ring. */
export class ControlReceiver {
  private readonly reader: ParameterReader;
  private readonly change = { index: 0, value: 0 };

  constructor(sab: SharedArrayBuffer) {
    this.reader = new ParameterReader(new RingBuffer(sab, Uint8Array));
  }

  /** Hands every pending change to apply(key, value), in order. */
  drain(target: { applyControl(key: number, value: number): boolean }): void {
    const change = this.change;
    while (this.reader.dequeueChange(change)) target.applyControl(change.index, change.value);
  }
}

export function isControlMessage(data: unknown): data is ControlMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Partial<ControlMessage>;
  return m.type === 'control' && typeof m.key === 'number' && typeof m.value === 'number';
}
