// What the bench installs in every page it opens, before any of the page's own code runs
// (page.addInitScript): a long-task recorder, the first-screenful watcher, the Tidewire client's
// own signals (its connection state and its stores' snapshot swaps, caught when the page sets
// `window.tidewire`), and, on demand, the storm recorders (animation frames, and the stamps a
// change carries as they appear in the DOM). Everything is page time: performance.now(), from
// navigation start. `installProbe` runs in the page: it may use nothing from this module's scope.

export interface ProbeConfig {
  /** Elements that make up the first screenful (with real data: their text is not their track's id). */
  selector: string;
  /** How many of them must be on screen (inside the viewport) for the first screenful; 0: not watched. */
  min: number;
}

export interface LoadProbe {
  longTasks: { start: number; duration: number }[];
  /** The animation frame in which the first screenful was first in the DOM (null: not yet). */
  firstScreenAt: number | null;
  /** The Tidewire client's first connection state after 'connecting', as the main thread heard it. */
  clientOpenAt: number | null;
  /** The first snapshot swap of a Tidewire store on the main thread. */
  storeSnapshotAt: number | null;
  /** How many elements of the selector are on screen with real data now. */
  visible: number;
}

export interface StormProbe {
  frames: number[];
  latencies: number[];
  longTasks: { start: number; duration: number }[];
  start: number;
  end: number;
}

interface BenchWindow {
  __bench: {
    load(): LoadProbe;
    stormStart(): void;
    stormStop(): StormProbe;
  };
  tidewire?: unknown;
}

export function installProbe(config: ProbeConfig): void {
  const w = window as unknown as BenchWindow;
  const longTasks: { start: number; duration: number }[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });

  const load: Omit<LoadProbe, 'longTasks' | 'visible'> = { firstScreenAt: null, clientOpenAt: null, storeSnapshotAt: null };
  const visible = (): number => {
    if (config.selector === '') return 0;
    let n = 0;
    const vw = innerWidth;
    const vh = innerHeight;
    for (const el of Array.from(document.querySelectorAll(config.selector))) {
      const track = el.closest('[data-track]')?.getAttribute('data-track');
      const text = el.textContent?.trim() ?? '';
      if (text === '' || text === track) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < vh && r.left < vw) n++;
    }
    return n;
  };
  // Checked once per animation frame after the DOM changed: the frame in which the condition
  // first holds is the one that paints it.
  if (config.min > 0) {
    let changed = false;
    const mo = new MutationObserver(() => (changed = true));
    mo.observe(document, { childList: true, subtree: true, characterData: true });
    const tick = () => {
      if (changed) {
        changed = false;
        if (visible() >= config.min) {
          // Not the callback's argument: that is the frame's start, which a long task may have
          // delayed this callback well past.
          load.firstScreenAt = performance.now();
          // A mark too, so a trace of the page (trace-page.ts) shows the moment.
          performance.mark('bench:first-screen');
          mo.disconnect();
          return;
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  // The Tidewire client, when the page makes one: its state and snapshot events, without
  // touching the page's code.
  let client: unknown;
  Object.defineProperty(w, 'tidewire', {
    configurable: true,
    get: () => client,
    set(v: unknown) {
      client = v;
      const c = v as {
        onState?(fn: (s: string) => void): unknown;
        stores?: Map<string, { onSnapshot(fn: () => void): unknown }>;
      } | null;
      c?.onState?.((s) => {
        if (s !== 'connecting' && load.clientOpenAt === null) load.clientOpenAt = performance.now();
      });
      for (const st of c?.stores?.values() ?? []) {
        st.onSnapshot(() => {
          if (load.storeSnapshotAt === null) load.storeSnapshotAt = performance.now();
        });
      }
    },
  });

  // The storm: every animation frame's time, and each stamp (`·<Date.now()>` in a text) taken
  // in the first animation frame after the DOM shows it.
  let storm: { frames: number[]; latencies: number[]; pending: number[]; seen: Set<number>; start: number; on: boolean; mo: MutationObserver } | null = null;
  const stampRe = /·(\d{13})/g;
  const scan = (text: string) => {
    for (const m of text.matchAll(stampRe)) {
      const t = Number(m[1]);
      if (!storm!.seen.has(t)) {
        storm!.seen.add(t);
        storm!.pending.push(t);
      }
    }
  };
  w.__bench = {
    load: () => ({ ...load, longTasks: [...longTasks], visible: visible() }),
    stormStart() {
      const mo = new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'characterData') scan((r.target as CharacterData).data);
          else if (r.target.textContent !== null && r.target.textContent.length < 400) scan(r.target.textContent);
        }
      });
      mo.observe(document.body, { childList: true, subtree: true, characterData: true });
      const s = { frames: [] as number[], latencies: [] as number[], pending: [] as number[], seen: new Set<number>(), start: performance.now(), on: true, mo };
      storm = s;
      const frame = (now: number) => {
        if (!s.on) return;
        s.frames.push(now);
        if (s.pending.length > 0) {
          const wall = Date.now();
          for (const t of s.pending) s.latencies.push(wall - t);
          s.pending.length = 0;
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    },
    stormStop() {
      const s = storm!;
      s.on = false;
      s.mo.disconnect();
      const end = performance.now();
      return { frames: s.frames, latencies: s.latencies, longTasks: longTasks.filter((t) => t.start >= s.start), start: s.start, end };
    },
  };
}
