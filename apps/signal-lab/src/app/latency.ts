// Round-trip latency by loopback, in the page: the lab's impulse goes to the speakers and, merged
// into one capture with what the default input hears, both are recorded sample-aligned by the
// capture worklet; findDelay gives the lag. Needs an input device (getUserMedia): without one
// the answer is 'no input', which the UI shows as such.
import captureUrl from './capture-worklet.ts?worker&url';
import { CAPTURE_PROCESSOR } from './capture-shared.ts';
import { LabError } from './errors.ts';
import { judgeLoopback, type LatencyResult } from './loopback.ts';

export type { LatencyResult } from './loopback.ts';

/** True when the browser lists at least one audio input (labels need a permission; kinds do not). */
export async function hasAudioInput(): Promise<boolean> {
  const md = (globalThis.navigator as Navigator | undefined)?.mediaDevices;
  if (!md?.enumerateDevices || !md.getUserMedia) return false;
  try {
    return (await md.enumerateDevices()).some((d) => d.kind === 'audioinput');
  } catch {
    return false;
  }
}

const loaded = new WeakMap<BaseAudioContext, Promise<void>>();

/**
 * Records `seconds` of [source, input] aligned; resolves both channels. `onStarted` runs once the
 * capture processes its first block, so whatever it starts lands inside the recording.
 */
export async function captureAligned(
  context: AudioContext,
  source: AudioNode,
  input: AudioNode,
  seconds: number,
  onStarted: () => void = () => {},
): Promise<[Float32Array, Float32Array]> {
  if (!(seconds > 0 && seconds <= 10)) throw new LabError('LAB_BAD_OPTION', 'capture length must be 0–10 s');
  let p = loaded.get(context);
  if (!p) {
    p = context.audioWorklet.addModule(captureUrl);
    loaded.set(context, p);
  }
  await p;
  const frames = Math.round(seconds * context.sampleRate);
  const merger = new ChannelMergerNode(context, { numberOfInputs: 2 });
  const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
    numberOfInputs: 1,
    numberOfOutputs: 0,
    channelCount: 2,
    channelCountMode: 'explicit',
    processorOptions: { frames, channels: 2 },
  });
  source.connect(merger, 0, 0);
  input.connect(merger, 0, 1);
  merger.connect(node);
  try {
    return await new Promise<[Float32Array, Float32Array]>((resolve) => {
      node.port.onmessage = (e: MessageEvent<{ type: string; data: Float32Array[] }>) => {
        if (e.data?.type === 'started') onStarted();
        if (e.data?.type === 'captured') resolve([e.data.data[0]!, e.data.data[1]!]);
      };
    });
  } finally {
    source.disconnect(merger);
    input.disconnect();
    merger.disconnect();
    node.port.close();
  }
}

/**
 * Plays one impulse through `play` (called once the capture runs) and measures the loop.
 * `source` is the node whose output goes to the speakers.
 */
export async function measureLoopback(context: AudioContext, source: AudioNode, play: () => void, seconds = 1): Promise<LatencyResult> {
  if (!(await hasAudioInput())) return { kind: 'no-input', reason: 'no audio input device' };
  let stream: MediaStream;
  try {
    // Raw input: echo cancellation would remove exactly the loop being measured.
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  } catch (e) {
    return { kind: 'no-input', reason: (e as Error).name || 'permission refused' };
  }
  try {
    const mic = new MediaStreamAudioSourceNode(context, { mediaStream: stream });
    // play() waits for the capture to run: called earlier, the single impulse fired while the
    // capture worklet was still loading and the played channel recorded silence.
    const [sent, heard] = await captureAligned(context, source, mic, seconds, play);
    return judgeLoopback(sent, heard, context.sampleRate, seconds);
  } finally {
    for (const t of stream.getTracks()) t.stop();
  }
}
