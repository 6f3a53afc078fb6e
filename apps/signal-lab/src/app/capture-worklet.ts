// AudioWorklet module: `signal-lab-capture` records its input's channels sample-aligned into
// buffers allocated up front, then posts them once, whole, and goes idle. The loopback latency
// measurement feeds it [what was played, what came back] so both share one clock, to the sample.
import { CAPTURE_PROCESSOR, MAX_CAPTURE_FRAMES, type CaptureOptions } from './capture-shared.ts';

interface WorkletScope {
  AudioWorkletProcessor: new (options?: unknown) => { readonly port: MessagePort };
  registerProcessor(name: string, ctor: unknown): void;
}
const scope = globalThis as unknown as WorkletScope;

class CaptureProcessor extends scope.AudioWorkletProcessor {
  private readonly data: Float32Array[];
  private written = 0;
  private done = false;

  constructor(options: { processorOptions?: Partial<CaptureOptions> } = {}) {
    super(options);
    const frames = Math.max(1, Math.min(MAX_CAPTURE_FRAMES, Math.floor(options.processorOptions?.frames ?? 0)));
    const channels = Math.max(1, Math.min(8, Math.floor(options.processorOptions?.channels ?? 1)));
    this.data = Array.from({ length: channels }, () => new Float32Array(frames));
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.done) return false;
    // The page starts what it wants recorded on this message: anything it plays earlier falls
    // before the first recorded sample (a loopback impulse played too soon is never captured).
    if (this.written === 0) this.port.postMessage({ type: 'started' });
    const input = inputs[0] ?? [];
    const frames = this.data[0]!.length;
    const n = Math.min(128, frames - this.written, input[0]?.length ?? 128);
    for (let c = 0; c < this.data.length; c++) {
      const src = input[c];
      // A disconnected channel records silence rather than stalling the capture.
      if (src) this.data[c]!.set(src.subarray(0, n), this.written);
    }
    this.written += n;
    if (this.written >= frames) {
      this.done = true;
      this.port.postMessage(
        { type: 'captured', data: this.data },
        this.data.map((d) => d.buffer),
      );
      return false;
    }
    return true;
  }
}

scope.registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
