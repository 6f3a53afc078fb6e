// The audio graph for a LabSettings, on any context (the live AudioContext or an
// OfflineAudioContext):
//   lab (generator → worklet chain) → Faust effects not bypassed, in order → output
// and, live, while a Faust effect plays: output → monitor (a tap node: no parameters, no
// outputs, input summed to mono), whose taps feed the meters, scope and spectrum so the
// visualisers show the Faust effects too. Without one, the lab's own taps are the output and
// the monitor is disconnected (not rendered: it costs nothing). Faust nodes come from the
// lazily loaded runtime chunk (src/faust/runtime.ts); a bypassed effect is disconnected too.
import { createLab, createTap } from '../../src/dsp/index.ts';
import type { Lab, Tap } from '../../src/dsp/index.ts';
import type { FaustEffect } from '../../src/faust/runtime.ts';
import type { FaustCatalog, FaustSlot, LabSettings } from './settings.ts';

export type FaustRuntime = typeof import('../../src/faust/runtime.ts');

let runtime: Promise<FaustRuntime> | null = null;
/** The Faust runtime chunk (faustwasm's runtime classes, no compiler), loaded on first use. */
export function faustRuntime(): Promise<FaustRuntime> {
  runtime ??= import('../../src/faust/runtime.ts');
  return runtime;
}

export class LabGraph {
  readonly context: BaseAudioContext;
  readonly lab: Lab;
  /** The end of the chain (unity gain): connect it to the destination or a master gain. */
  readonly output: GainNode;
  readonly monitor: Tap | null;
  /** The monitor is in the graph (a Faust effect plays); otherwise the lab's taps are the output. */
  monitoring = false;
  private readonly faust = new Map<string, FaustEffect>();
  private readonly pending = new Map<string, Promise<FaustEffect>>();
  private wired: AudioNode[] = [];

  private readonly catalog: FaustCatalog;

  private constructor(context: BaseAudioContext, lab: Lab, monitor: Tap | null, catalog: FaustCatalog) {
    this.context = context;
    this.catalog = catalog;
    this.lab = lab;
    this.monitor = monitor;
    this.output = new GainNode(context, { gain: 1 });
  }

  /** Where the output's samples and meters come from: the monitor while it is in the graph. */
  get outputTaps(): Lab['taps'] {
    return this.monitoring && this.monitor ? this.monitor.taps : this.lab.taps;
  }

  private setMonitoring(on: boolean): void {
    if (!this.monitor || on === this.monitoring) return;
    this.monitoring = on;
    if (on) this.output.connect(this.monitor.node);
    else this.output.disconnect(this.monitor.node);
  }

  static async create(
    context: BaseAudioContext,
    s: LabSettings,
    catalog: FaustCatalog,
    options: { monitor?: boolean; shared?: boolean } = {},
  ): Promise<LabGraph> {
    const shared = options.shared === false ? { shared: false } : {};
    const [lab, monitor] = await Promise.all([
      createLab(context, {
        generator: s.generator,
        seed: s.seed,
        chain: s.order,
        bypass: s.bypass,
        eqType: s.eqType,
        detector: s.detector,
        sweep: s.sweep,
        params: s.params,
        ...shared,
      }),
      options.monitor ? createTap(context, shared) : Promise.resolve(null),
    ]);
    const g = new LabGraph(context, lab, monitor, catalog);
    g.rewire(s.faust);
    return g;
  }

  /** Instantiates (once) the Faust effect of `slot`; the graph keeps it by slot key. */
  async loadFaust(slot: FaustSlot): Promise<FaustEffect> {
    const have = this.faust.get(slot.key);
    if (have) return have;
    let p = this.pending.get(slot.key);
    if (!p) {
      const entry = this.catalog.get(slot.id);
      if (!entry) return Promise.reject(new Error(`no Faust effect ${slot.id}`));
      p = faustRuntime().then(async (rt) => {
        const fx = await rt.createFaustEffect(this.context, entry.asset, slot.params);
        this.faust.set(slot.key, fx);
        return fx;
      });
      p.finally(() => this.pending.delete(slot.key)).catch(() => {});
      this.pending.set(slot.key, p);
    }
    return p;
  }

  /** Loads every Faust effect that is not bypassed (an offline render waits for them all). */
  async loadActive(slots: readonly FaustSlot[]): Promise<void> {
    await Promise.all(slots.filter((f) => !f.bypass).map((f) => this.loadFaust(f)));
  }

  faustEffect(key: string): FaustEffect | undefined {
    return this.faust.get(key);
  }

  /** Reconnects lab → loaded, active Faust effects → output. Cheap; call after any chain change. */
  rewire(slots: readonly FaustSlot[]): void {
    for (const n of this.wired) n.disconnect();
    const chain: AudioNode[] = [this.lab.node];
    for (const slot of slots) {
      const fx = this.faust.get(slot.key);
      if (fx && !slot.bypass) chain.push(fx.node);
    }
    chain.push(this.output);
    for (let i = 0; i + 1 < chain.length; i++) chain[i]!.connect(chain[i + 1]!);
    this.wired = chain.slice(0, -1);
    this.setMonitoring(chain.length > 2);
  }

  /** Frees Faust effects whose slots are gone. */
  prune(slots: readonly FaustSlot[]): void {
    const keep = new Set(slots.map((s) => s.key));
    for (const [key, fx] of this.faust) {
      if (!keep.has(key)) {
        fx.dispose();
        this.faust.delete(key);
      }
    }
  }

  dispose(): void {
    for (const fx of this.faust.values()) fx.dispose();
    this.faust.clear();
    this.lab.dispose();
    this.monitor?.dispose();
    this.output.disconnect();
  }
}

/** Renders `seconds` of `s` offline: the same graph as live, minus the monitor. */
export async function renderOffline(s: LabSettings, catalog: FaustCatalog, seconds: number, sampleRate: number, channels = 1): Promise<AudioBuffer> {
  const length = Math.round(seconds * sampleRate);
  const ctx = new OfflineAudioContext({ numberOfChannels: channels, length, sampleRate });
  const g = await LabGraph.create(ctx, s, catalog);
  await g.loadActive(s.faust);
  g.rewire(s.faust);
  g.output.connect(ctx.destination);
  try {
    return await ctx.startRendering();
  } finally {
    g.dispose();
  }
}
