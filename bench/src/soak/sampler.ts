// What the soak reads about the server process every few seconds: VmRSS and open file
// descriptors from /proc (the server is our child), and from its /metrics (prom-client's default
// metrics, which `tidewire serve` enables): the JS heap in use, the event-loop delay histogram of
// the window since the last scrape (prom-client resets it at every scrape), queued state bytes
// and open connections. The scrape uses a fresh connection each time (Connection: close), so
// the sampler holds no socket of the server's between samples and fdsEnd counts only what the
// server keeps.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { request } from 'node:http';
import { MB, rssBytes } from '../studio/procs.ts';

/** prom-client's event-loop monitor resolution (its default): every reading includes it. */
export const LAG_RESOLUTION_MS = 10;
/** USER_HZ: /proc reports CPU times in these ticks (100 on Linux everywhere that matters). */
const CLOCK_TICKS = 100;

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  fds: number;
  /** Longest event-loop delay in the window, over the monitor's 10 ms resolution. */
  lagMaxMs: number;
  lagP99Ms: number;
  /** State bytes queued for slow connections, all channels (tidewire_channel_queued_bytes). */
  queuedBytes: number;
  connections: number;
  /** The server's CPU time in the window over its length (100 = one core busy all the time). */
  serverCpuPct: number;
  /** The machine's 1-minute load average: a lag spike on a machine busy with others is not the server's alone. */
  loadAvg1: number;
  /** The client processes' longest event-loop delay in the window (over the 10 ms resolution); -1 if they did not answer before the next sample. */
  clientLagMaxMs: number;
}

/** CPU seconds (user + system) `pid` has used; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // reason: the command name in parentheses may contain spaces; fields after the last ')' do not.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Open file descriptors of `pid` (entries of /proc/PID/fd); -1 when it is gone. */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** GET `url` on a connection of its own; resolves with the status, headers and body text. */
export function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url}: no answer in 30 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sums of a Prometheus text exposition's samples by metric name (labels summed over). */
export function parseMetrics(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    if (Number.isFinite(v)) sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + v);
  }
  return sums;
}

/** The server's metrics the soak reads (throws when the scrape fails or a metric is missing). */
export async function scrape(url: string): Promise<Map<string, number>> {
  const res = await httpGet(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const m = parseMetrics(res.body);
  for (const name of ['nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_max_seconds', 'tidewire_connections']) {
    if (!m.has(name)) throw new Error(`GET /metrics has no ${name} (prom-client's default metrics off?)`);
  }
  return m;
}

/** The previous reading of the server's CPU time, for the next sample's window. */
export interface CpuMark {
  at: number;
  cpu: number;
}

export function cpuMark(pid: number): CpuMark {
  return { at: performance.now(), cpu: cpuSeconds(pid) };
}

/** One sample; `mark` (the previous sample's CPU reading) is moved to now. */
export async function takeSample(url: string, pid: number, t: number, mark: CpuMark): Promise<Sample> {
  const now = cpuMark(pid);
  const serverCpuPct = (100 * (now.cpu - mark.cpu)) / ((now.at - mark.at) / 1000);
  Object.assign(mark, now);
  const rss = rssBytes(pid);
  const fds = fdCount(pid);
  const m = await scrape(url);
  const overResolution = (seconds: number) => Math.max(0, seconds * 1000 - LAG_RESOLUTION_MS);
  return {
    t,
    rssMb: rss / MB,
    heapUsedMb: m.get('nodejs_heap_size_used_bytes')! / MB,
    fds,
    lagMaxMs: overResolution(m.get('nodejs_eventloop_lag_max_seconds')!),
    lagP99Ms: overResolution(m.get('nodejs_eventloop_lag_p99_seconds') ?? 0),
    queuedBytes: m.get('tidewire_channel_queued_bytes') ?? 0,
    connections: m.get('tidewire_connections')!,
    serverCpuPct,
    loadAvg1: loadavg()[0]!,
    clientLagMaxMs: -1,
  };
}

/** Least-squares slope of y over x; NaN with fewer than two points. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** MB per hour of `pick` over the samples after the warm-up (the first `warmup` fraction dropped). */
export function slopeMbPerHour(samples: readonly Sample[], pick: (s: Sample) => number, warmup = 0.2): number {
  const kept = samples.slice(Math.floor(samples.length * warmup));
  return slope(
    kept.map((s) => s.t / 3600),
    kept.map(pick),
  );
}
