// The AudioWorklet module for Faust effects: processor `tidewire-faust`, a thin shell around
// FaustHost (host.ts). The compiled module arrives in processorOptions (WebAssembly.Module is
// structured-cloneable to the audio thread) and is instantiated in the constructor; parameter
// changes arrive on the port as [byteIndex, value] pairs and apply between blocks.
import { FAUST_PROCESSOR_NAME, FaustHost } from './host.ts';
import type { FaustPortMessage, FaustProcessorOptions } from './host.ts';

interface WorkletScope {
  sampleRate: number;
  AudioWorkletProcessor: new (options?: unknown) => { readonly port: MessagePort };
  registerProcessor(name: string, ctor: unknown): void;
}
const scope = globalThis as unknown as WorkletScope;

class FaustProcessor extends scope.AudioWorkletProcessor {
  private host: FaustHost | null = null;
  private alive = true;

  constructor(options: { processorOptions?: Partial<FaustProcessorOptions> } = {}) {
    super(options);
    const po = options.processorOptions ?? {};
    const port = this.port;
    try {
      if (!(po.module instanceof WebAssembly.Module) || !po.spec) throw new Error('processorOptions need a module and a spec');
      this.host = new FaustHost(po.module, po.spec, scope.sampleRate);
      this.apply(po.params ?? []);
      port.postMessage({ type: 'ready' });
    } catch (e) {
      // Reported on the port rather than thrown: the page names the effect in its error.
      port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
    port.onmessage = (e: MessageEvent) => {
      const m = e.data as FaustPortMessage;
      if (m?.type === 'set' && Array.isArray(m.params)) this.apply(m.params);
      else if (m?.type === 'dispose') this.alive = false;
    };
  }

  private apply(pairs: number[]): void {
    const host = this.host;
    if (host === null) return;
    for (let i = 0; i + 1 < pairs.length; i += 2) host.setParam(pairs[i], pairs[i + 1]);
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    if (this.host !== null && out.length > 0) this.host.process(inputs[0] ?? [], out, out[0].length);
    return this.alive;
  }
}

scope.registerProcessor(FAUST_PROCESSOR_NAME, FaustProcessor);
