// The page's state and the one place that touches the audio graph. Components read the
// reactive fields and call the methods; every change updates `settings` (the truth that offline
// renders copy) and the live nodes together. Continuous parameters glide (setTargetAtTime, 15 ms)
// so dragging a slider never clicks; discrete controls go through the lab's control queue.
import { GENERATOR_KINDS, PARAMS } from '../../src/dsp/index.ts';
import type { Detector, EffectKind, EqType, GeneratorKind, ParamName, SweepSettings } from '../../src/dsp/index.ts';
import { checkEffectMeta } from '../../src/faust/meta.ts';
import type { FaustEffectAsset } from '../../src/faust/runtime.ts';
import { TapFeed } from './feed.ts';
import { LabGraph } from './graph.ts';
import { defaultSettings, snapshot, type CatalogEntry, type FaustSlot, type LabSettings } from './settings.ts';

export type AudioStatus = 'idle' | 'starting' | 'running' | 'suspended' | 'error';
const GLIDE = 0.015;
const PARAM_SPEC = new Map(PARAMS.map((p) => [p.name, p]));

type FrameFn = (now: number) => void;

/** The last offline render: how much audio, how long it took. */
export interface RenderTiming {
  seconds: number;
  wallMs: number;
  xRealtime: number;
}

export class LabState {
  status = $state<AudioStatus>('idle');
  error = $state('');
  /** The page is cross-origin isolated (SharedArrayBuffer available). */
  readonly isolated: boolean;
  /** The lab uses shared memory (null before it starts); false shows the fallback notice. */
  shared = $state<boolean | null>(null);
  sampleRate = $state(0);
  settings = $state<LabSettings>(defaultSettings());
  /** Bundled and live-compiled Faust effects the chain can insert (names for the menu). */
  faustMenu = $state<Array<{ id: string; name: string; description: string; live: boolean }>>([]);
  faustError = $state('');
  /** performance.now() when the first output samples reached the page (null before). */
  audioReadyMs = $state<number | null>(null);
  volumeDb = $state(-6);
  renderTiming = $state<RenderTiming | null>(null);
  muted = $state(false);

  readonly feed = new TapFeed();
  /** Not reactive: compiled modules must not be proxied. */
  readonly catalog = new Map<string, CatalogEntry>();
  context: AudioContext | null = null;
  graph: LabGraph | null = null;
  private master: GainNode | null = null;
  private readonly frameFns = new Set<FrameFn>();
  private raf = 0;
  private slotCounter = 0;

  constructor() {
    this.isolated = globalThis.crossOriginIsolated === true;
  }

  /** Creates the context and the graph; audio flows once the context runs (a click, or autoplay). */
  async start(options: { shared?: boolean } = {}): Promise<void> {
    if (this.status !== 'idle' && this.status !== 'error') return;
    this.status = 'starting';
    // Marks for DevTools and the bench: where the time to first sound goes.
    performance.mark('signal-lab:start');
    try {
      const ctx = new AudioContext({ latencyHint: 'interactive' });
      performance.mark('signal-lab:context');
      this.context = ctx;
      this.sampleRate = ctx.sampleRate;
      const s = this.settings;
      s.sweep.f2 = Math.min(s.sweep.f2, ctx.sampleRate / 2);
      const graph = await LabGraph.create(ctx, $state.snapshot(s) as LabSettings, this.catalog, { monitor: true, ...options });
      this.graph = graph;
      performance.mark('signal-lab:graph');
      this.shared = graph.lab.shared;
      this.master = new GainNode(ctx, { gain: this.outputGain() });
      graph.output.connect(this.master).connect(ctx.destination);
      ctx.onstatechange = () => this.syncStatus();
      this.syncStatus();
      void ctx.resume().catch(() => {});
      this.loop();
    } catch (e) {
      this.status = 'error';
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private syncStatus(): void {
    const st = this.context?.state;
    if (st === 'running') this.status = 'running';
    else if (st === 'suspended') this.status = 'suspended';
    else if (st === 'closed') this.status = 'idle';
  }

  /** The autoplay policy wants a gesture: the first click or key calls this. */
  async resume(): Promise<void> {
    await this.context?.resume();
    this.syncStatus();
  }

  async suspend(): Promise<void> {
    await this.context?.suspend();
    this.syncStatus();
  }

  // --- the frame loop: drains the taps, then runs every registered drawer -------------------

  onFrame(fn: FrameFn): () => void {
    this.frameFns.add(fn);
    return () => this.frameFns.delete(fn);
  }

  private loop(): void {
    const tick = (now: number) => {
      this.raf = requestAnimationFrame(tick);
      const g = this.graph;
      if (g && this.feed.poll(g.outputTaps, now, g.monitoring ? g.lab.taps : undefined) > 0 && this.audioReadyMs === null) {
        this.audioReadyMs = performance.now();
        performance.mark('signal-lab:first-samples');
      }
      for (const fn of this.frameFns) fn(now);
    };
    this.raf = requestAnimationFrame(tick);
  }

  // --- generator -------------------------------------------------------------------------

  setGenerator(kind: GeneratorKind): void {
    if (!GENERATOR_KINDS.includes(kind)) return;
    this.settings.generator = kind;
    this.graph?.lab.setGenerator(kind);
  }

  trigger(): void {
    this.graph?.lab.trigger();
  }

  setSeed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 1 << 24) return;
    this.settings.seed = seed;
    this.graph?.lab.setSeed(seed);
  }

  setSweep(sweep: SweepSettings): boolean {
    try {
      this.graph?.lab.setSweep(sweep);
      this.settings.sweep = { ...sweep };
      return true;
    } catch {
      return false;
    }
  }

  /** Sets an AudioParam of the lab (generator or worklet effect), clamped to its range. */
  setParam(name: ParamName, value: number): void {
    const spec = PARAM_SPEC.get(name);
    if (!spec || !Number.isFinite(value)) return;
    const v = Math.min(spec.maxValue, Math.max(spec.minValue, value));
    this.settings.params[name] = v;
    const p = this.graph?.lab.params[name];
    const ctx = this.context;
    if (!p || !ctx) return;
    p.cancelScheduledValues(ctx.currentTime);
    if (name === 'on') p.setValueAtTime(v, ctx.currentTime);
    else p.setTargetAtTime(v, ctx.currentTime, GLIDE);
  }

  // --- the worklet chain -----------------------------------------------------------------

  moveCore(from: number, to: number): void {
    const order = moved(this.settings.order, from, to);
    if (!order) return;
    this.settings.order = order;
    this.graph?.lab.setChain(order, [...this.settings.bypass]);
  }

  toggleCore(kind: EffectKind): void {
    const b = new Set(this.settings.bypass);
    if (b.has(kind)) b.delete(kind);
    else b.add(kind);
    this.settings.bypass = [...b];
    this.graph?.lab.setBypass(this.settings.bypass);
  }

  setEqType(t: EqType): void {
    this.settings.eqType = t;
    this.graph?.lab.setEqType(t);
  }

  setDetector(d: Detector): void {
    this.settings.detector = d;
    this.graph?.lab.setDetector(d);
  }

  // --- Faust effects ---------------------------------------------------------------------

  /** Registers compiled effects (the build's, or the live editor's output). */
  addToCatalog(asset: FaustEffectAsset, live: boolean): CatalogEntry {
    const meta = checkEffectMeta(asset.id, JSON.parse(asset.json));
    const entry: CatalogEntry = { asset, meta, live };
    this.catalog.set(asset.id, entry);
    this.faustMenu = [...this.catalog.values()].map((e) => ({ id: e.asset.id, name: e.meta.name, description: e.meta.description, live: e.live }));
    return entry;
  }

  /** Appends a Faust effect to the chain (bypassed unless `active`); resolves when it can play. */
  async addFaust(id: string, active = true): Promise<string | null> {
    const entry = this.catalog.get(id);
    if (!entry) return null;
    const key = `${id}#${++this.slotCounter}`;
    const params: Record<string, number> = {};
    for (const p of entry.meta.params) params[p.address] = p.init;
    this.settings.faust.push({ key, id, params, bypass: !active });
    // A bypassed effect is instantiated when first switched on (the runtime chunk loads then).
    if (!active) return key;
    try {
      await this.graph?.loadFaust(this.slotRaw(key));
      this.faustError = '';
    } catch (e) {
      this.faustError = `${entry.meta.name}: ${e instanceof Error ? e.message : String(e)}`;
      this.settings.faust = this.settings.faust.filter((f) => f.key !== key);
      return null;
    }
    this.rewire();
    return key;
  }

  private slotRaw(key: string): FaustSlot {
    const s = this.settings.faust.find((f) => f.key === key)!;
    return $state.snapshot(s) as FaustSlot;
  }

  private rewire(): void {
    const slots = $state.snapshot(this.settings.faust) as FaustSlot[];
    this.graph?.rewire(slots);
    this.graph?.prune(slots);
  }

  removeFaust(key: string): void {
    this.settings.faust = this.settings.faust.filter((f) => f.key !== key);
    this.rewire();
  }

  moveFaust(from: number, to: number): void {
    const list = moved(this.settings.faust, from, to);
    if (!list) return;
    this.settings.faust = list;
    this.rewire();
  }

  /** Resolves once the effect is wired (switching on may load the Faust runtime first). */
  toggleFaust(key: string): Promise<void> {
    const s = this.settings.faust.find((f) => f.key === key);
    if (!s) return Promise.resolve();
    s.bypass = !s.bypass;
    if (!s.bypass && this.graph && !this.graph.faustEffect(key)) {
      const name = this.catalog.get(s.id)?.meta.name ?? s.id;
      return this.graph.loadFaust(this.slotRaw(key)).then(
        () => this.rewire(),
        (e: unknown) => {
          this.faustError = `${name}: ${e instanceof Error ? e.message : String(e)}`;
          s.bypass = true;
        },
      );
    }
    this.rewire();
    return Promise.resolve();
  }

  setFaustParam(key: string, address: string, value: number): void {
    const s = this.settings.faust.find((f) => f.key === key);
    const entry = s ? this.catalog.get(s.id) : undefined;
    const spec = entry?.meta.params.find((p) => p.address === address);
    if (!s || !spec || !Number.isFinite(value)) return;
    const v = Math.min(spec.max, Math.max(spec.min, value));
    s.params[address] = v;
    this.graph?.faustEffect(key)?.setParam(address, v);
  }

  // --- output ----------------------------------------------------------------------------

  private outputGain(): number {
    return this.muted ? 0 : Math.pow(10, this.volumeDb / 20);
  }

  setVolume(db: number): void {
    this.volumeDb = Math.max(-60, Math.min(0, db));
    this.applyOutput();
  }

  toggleMute(): void {
    this.muted = !this.muted;
    this.applyOutput();
  }

  private applyOutput(): void {
    if (this.master && this.context) this.master.gain.setTargetAtTime(this.outputGain(), this.context.currentTime, GLIDE);
  }

  /** A copy of the settings for an offline render (plain data, no proxies). */
  snapshot(): LabSettings {
    return snapshot($state.snapshot(this.settings) as LabSettings);
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    this.graph?.dispose();
    void this.context?.close();
  }
}

/** A copy of `list` with the item at `from` moved to `to`; null when either is out of range or they are equal. */
function moved<T>(list: readonly T[], from: number, to: number): T[] | null {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return null;
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}
