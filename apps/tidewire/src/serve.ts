// `tidewire serve`: one server, every app. What `npm start` runs.
//
// One app failing to start (its UDP port taken, its data missing) must not take the others down:
// each app is mounted on its own, a failure is kept with its error code and shown on the app's
// page (503) and in the start-up report, and the server serves the rest. A taken TCP port stops
// the whole command, with the flag that changes it (--port); a taken OSC port names --osc-port.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClusterNode } from '@tidewire/cluster';
import type { ClusterEvent } from '@tidewire/cluster';
import { createServer, parseHost, waitForStop } from '@tidewire/server';
import type { ClusterParts, StaticOptions, TidewireServer } from '@tidewire/server';
import { mountDemo } from '@tidewire/demo';
import { BUNDLED_SET, mountLiveSet } from '@tidewire/liveset';
import { mountReplay } from '@tidewire/replay';
import { mountSignalLab } from '@tidewire/signal-lab';
import { mountStudio } from '@tidewire/studio';
import { defineCommand, logLevelOption, port, UsageError } from '@tidewire/cli';
import type { Command, LogLevelName, OptionsTable, Output, ParsedArgs } from '@tidewire/cli';
import { ServeError } from './errors.ts';

/** The Live Set `npm start` mirrors (an MIT-licensed fixture; see apps/liveset/fixtures/README.md). */
export { BUNDLED_SET };

/** Where an app's Vite build lands (apps/<name>/dist). */
export function appDist(app: string): string {
  return fileURLToPath(new URL(`../../${app}/dist/`, import.meta.url));
}

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  /** Host names answered besides loopback ones (docs/server.md §1.1); none when absent. */
  allowedHosts?: string[];
  storm: boolean;
  als: string;
  oscPort: number;
  /** Where the replay's race data and cache are (tests; the defaults are apps/replay/data and .cache/replay). */
  replay?: { dataRoot?: string; cacheDir?: string };
  /**
   * One node of a cluster on this Redis (docs/cluster.md §9): the Live Set mirror is owned by one
   * node and followed by the others, and Media Studio's jobs go through it (workers: `tidewire
   * studio worker --redis URL`). Single process, with the embedded queue, when absent.
   */
  redis?: string;
  /** This node's name in the cluster (tests; default node-<pid>). */
  nodeId?: string;
  /** How long a dead owner keeps its channels before another node takes over (tests; default 5 s). */
  leaseTtlMs?: number;
  /** Media Studio's data dir (tests; the default is .tidewire/studio in the repository). */
  studioDataDir?: string;
  /** The server log's level (--log-level; default $TIDEWIRE_LOG_LEVEL, else info, silent under TIDEWIRE_TEST=1). */
  logLevel?: LogLevelName;
  /** Where the log goes (default stderr) and how: JSON lines, or one short line each (`pretty`, for a terminal). */
  log?: { stream?: Output; format?: 'json' | 'pretty' };
}

const OPTIONS = {
  host: { type: 'string', value: 'HOST', default: '127.0.0.1', help: 'HTTP/WebSocket interface (default 127.0.0.1; another needs --token)' },
  port: {
    type: 'string',
    value: 'N',
    default: () => process.env.PORT ?? '8080',
    parse: port(),
    help: 'HTTP/WebSocket port (default 8080 or $PORT, 0 = any free port)',
  },
  token: { type: 'string', value: 'TOKEN', help: 'bearer token clients must send (default $TIDEWIRE_TOKEN)' },
  'allowed-hosts': {
    type: 'string',
    value: 'NAMES',
    parse: hostList,
    help: 'Host names to answer besides loopback ones, comma-separated, each NAME or NAME:PORT\n(every other Host gets 403: DNS-rebinding protection)',
  },
  'no-storm': {
    type: 'boolean',
    help: 'keep the demos still: no change storm in the core demo, and the simulated Live\nonly answers control (no random events)',
  },
  als: { type: 'string', value: 'FILE.als', default: BUNDLED_SET, help: 'the Live Set to mirror (default: the bundled Michelle.als)' },
  'osc-port': {
    type: 'string',
    value: 'N',
    default: '9002',
    parse: port(),
    help: 'UDP port for OSC events into the Live Set mirror (default 9002, 0 = any free port)',
  },
  redis: {
    type: 'string',
    value: 'URL',
    parse: redisUrl,
    help: 'run as one node of a cluster on this Redis (redis://host:port): the Live Set mirror\nis owned by one node and followed by the others, clients resume on any node, and\nMedia Studio jobs are rendered here and by any `tidewire studio worker --redis URL`\n(default: one process, the embedded queue)',
  },
  'log-level': logLevelOption(),
} as const satisfies OptionsTable;

function hostList(raw: string, flag: string): string[] {
  const names = raw.split(',').map((n) => n.trim());
  for (const n of names) if (parseHost(n) === undefined) throw new UsageError(`${flag} needs host names (NAME or NAME:PORT), got '${n}'`);
  return names;
}

function redisUrl(raw: string, flag: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new UsageError(`${flag} needs a redis:// URL, got '${raw}'`);
  return raw;
}

function toServeOptions({ values: v }: ParsedArgs<typeof OPTIONS>): ServeOptions {
  const token = v.token ?? process.env.TIDEWIRE_TOKEN;
  return {
    host: v.host,
    port: v.port,
    storm: !v['no-storm'],
    als: v.als,
    oscPort: v['osc-port'],
    logLevel: v['log-level'],
    ...(token ? { token } : {}),
    ...(v['allowed-hosts'] ? { allowedHosts: v['allowed-hosts'] } : {}),
    ...(v.redis ? { redis: v.redis } : {}),
  };
}

/** What an app's mount returns, as far as serving it goes. */
interface MountedApp {
  path: string;
  title: string;
  staticOptions?: StaticOptions;
  /** The channels this app shares in a cluster (`--redis`); apps without it serve their own on every node. */
  cluster?: ClusterParts;
  close(): Promise<void> | void;
}

/** An app that is up, or one that failed to start (with its error code and message). */
export type AppStatus =
  { name: string; path: string; state: 'up'; title: string; page: boolean } | { name: string; path: string; state: 'failed'; code: string; message: string };

interface AppEntry {
  name: string;
  path: string;
  mount(server: TidewireServer, opts: ServeOptions): Promise<MountedApp> | MountedApp;
}

const APPS: readonly AppEntry[] = [
  {
    name: 'liveset',
    path: '/liveset/',
    mount: (server, o) =>
      mountLiveSet(server, {
        alsPath: o.als,
        oscPort: o.oscPort,
        simulate: true,
        ...(o.storm ? {} : { simulatorRate: 0 }),
        log: appLog(server, 'liveset', 'warn'),
      }),
  },
  // The bundled race: generated on the first start (~4 s), then loaded from .cache/replay/.
  { name: 'replay', path: '/replay/', mount: (server, o) => mountReplay(server, { race: '2024-bahrain', log: appLog(server, 'replay', 'info'), ...o.replay }) },
  // Cross-origin isolated (COOP/COEP) so SharedArrayBuffer ring buffers work.
  { name: 'signal-lab', path: '/signal-lab/', mount: (server) => mountSignalLab(server) },
  { name: 'demo', path: '/demo/', mount: (server, o) => mountDemo(server, { storm: o.storm }) },
  // Jobs on the embedded queue (journal in .tidewire/studio/queue) or on --redis; renders in this process either way.
  {
    name: 'studio',
    path: '/studio/',
    mount: (server, o) => mountStudio(server, { ...(o.redis ? { redis: o.redis } : {}), ...(o.studioDataDir ? { dataDir: o.studioDataDir } : {}) }),
  },
];

/** An app's one-string log callback as lines of the server's log, tagged with the app. */
function appLog(server: TidewireServer, app: string, level: 'info' | 'warn'): (message: string) => void {
  const log = server.log.child({ app });
  return (message) => log[level](message);
}

/** A failure's code and message, with the flag that fixes it when a port is taken. */
function describeFailure(app: string, e: unknown, opts: ServeOptions): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof err?.code === 'string' ? err.code : 'ERROR';
  let message = typeof err?.message === 'string' ? err.message : String(e);
  const system = err?.cause?.code ?? err?.code;
  if (app === 'liveset' && system === 'EADDRINUSE') {
    message += ` — UDP port ${opts.oscPort} is in use; pass --osc-port N to use another (0 = any free port)`;
  }
  return { code, message };
}

export interface RunningServe {
  server: TidewireServer;
  url: string;
  apps: AppStatus[];
  /** With --redis: this node's place in the cluster, and its role for each shared channel at start. */
  cluster?: { node: ClusterNode; redis: string; channels: { name: string; role: 'owner' | 'replica' }[] };
  close(): Promise<void>;
}

/** The events channel that tells clients how this node's cluster is (docs/cluster.md §9). */
export const CLUSTER_STATUS_CHANNEL = 'tidewire-cluster';

/**
 * The cluster's role changes and failures as lines of the server's log; whether Redis answers
 * also goes to clients, as `redis` on the `tidewire-cluster` events channel.
 */
function clusterReporter(server: TidewireServer): (event: ClusterEvent) => void {
  const log = server.log.child({ component: 'cluster' });
  const status = server.events(CLUSTER_STATUS_CHANNEL);
  status.publish('redis', { state: 'up', since: Date.now() });
  return (event) => {
    if (event.kind === 'redis') {
      status.publish('redis', { state: event.state, since: Date.now() });
      if (event.state === 'down') log.warn('Redis does not answer: serving what this node has, and reconciling when it is back');
      else log.info('Redis answers again');
    } else if (event.kind === 'role')
      log.info({ channel: event.channel, role: event.role }, `${event.channel}: this node is ${event.role === 'owner' ? 'the owner' : 'a replica'}`);
    else if (event.kind === 'owner-state') log.info({ channel: event.channel, state: event.state }, `${event.channel}: owner ${event.state}`);
    else {
      const err = event.error as { code?: unknown; message?: unknown } | null;
      log.warn({ channel: event.channel, code: err?.code }, `${event.channel}: ${String(err?.message ?? event.error)}`);
    }
  };
}

/**
 * Starts the server with every app that starts mounted; resolves once it listens. An app that
 * fails is reported in `apps` (and answers 503 on its path). Rejects only when the server itself
 * cannot listen (ServeError TIDEWIRE_PORT_IN_USE for a taken --port).
 */
export async function startAll(opts: ServeOptions): Promise<RunningServe> {
  const server = await createServer({
    host: opts.host,
    port: opts.port,
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
    logger: {
      ...(opts.logLevel ? { level: opts.logLevel } : {}),
      ...(opts.log?.stream ? { stream: opts.log.stream } : {}),
      format: opts.log?.format ?? 'json',
    },
  });
  // A node that cannot reach its Redis does not start: serving alone would split the cluster.
  let cluster: ClusterNode | undefined;
  if (opts.redis !== undefined) {
    try {
      cluster = await ClusterNode.connect({
        url: opts.redis,
        ...(opts.nodeId !== undefined ? { nodeId: opts.nodeId } : {}),
        ...(opts.leaseTtlMs !== undefined ? { leaseTtlMs: opts.leaseTtlMs } : {}),
        onEvent: clusterReporter(server),
      });
    } catch (e) {
      await server.close();
      throw e;
    }
    cluster.registerMetrics(server.metrics);
  }
  const mounted: MountedApp[] = [];
  const apps: AppStatus[] = [];
  for (const entry of APPS) {
    let app: MountedApp;
    try {
      app = await entry.mount(server, opts);
    } catch (e) {
      const failure = describeFailure(entry.name, e, opts);
      server.log.warn({ app: entry.name, code: failure.code }, `${entry.name} did not start: ${failure.message}`);
      apps.push({ name: entry.name, path: entry.path, state: 'failed', ...failure });
      const body = `${entry.name} did not start: ${failure.code}: ${failure.message}\n`;
      server.fastify.get(`${entry.path}*`, (_req, reply) => reply.code(503).type('text/plain; charset=utf-8').send(body));
      continue;
    }
    mounted.push(app);
    const dist = appDist(entry.name);
    const page = existsSync(dist);
    if (page) await server.serveStatic(app.path, dist, app.staticOptions);
    apps.push({ name: entry.name, path: app.path, state: 'up', title: app.title, page });
  }
  const first = apps.find((a) => a.state === 'up') ?? apps[0]!;
  server.fastify.get('/', (_req, reply) => reply.redirect(first.path));
  const closeApps = async () => {
    // The cluster first: an owner hands its leases back, so another node takes over at once.
    await cluster?.close();
    for (const app of mounted) await app.close();
  };
  const shared: { name: string; role: 'owner' | 'replica' }[] = [];
  if (cluster !== undefined) {
    try {
      for (const app of mounted) {
        if (app.cluster !== undefined) shared.push({ name: app.cluster.tree.name, role: await cluster.serve(app.cluster.tree, app.cluster) });
      }
    } catch (e) {
      await closeApps();
      await server.close();
      throw e;
    }
  }
  let url: string;
  try {
    url = await server.listen();
  } catch (e) {
    await closeApps();
    await server.close();
    if ((e as { code?: unknown }).code === 'EADDRINUSE') {
      throw new ServeError('TIDEWIRE_PORT_IN_USE', `TCP port ${opts.port} on ${opts.host} is in use; pass --port N to use another (0 = any free port)`, {
        cause: e,
      });
    }
    throw e;
  }
  return {
    server,
    url,
    apps,
    ...(cluster !== undefined ? { cluster: { node: cluster, redis: opts.redis!, channels: shared } } : {}),
    async close() {
      await closeApps();
      await server.close();
    },
  };
}

/** The start-up report: one line per app, up or failed (with its code). */
export function formatStatus(url: string, apps: readonly AppStatus[], cluster?: RunningServe['cluster']): string {
  const width = Math.max(...apps.map((a) => a.path.length)) + 2;
  const lines = [`Tidewire is serving on ${url}/  (Ctrl+C to stop)`];
  for (const a of apps) {
    lines.push(
      a.state === 'up'
        ? `  up      ${a.path.padEnd(width)}${a.title}${a.page ? '' : ' (page not built: run `npm run build`)'}`
        : `  FAILED  ${a.path.padEnd(width)}${a.code}: ${a.message}`,
    );
  }
  lines.push('  metrics /metrics');
  if (cluster !== undefined) {
    const roles = cluster.channels.map((c) => `${c.name} ${c.role === 'owner' ? 'owned here' : 'followed'}`).join(', ');
    lines.push(`  cluster ${cluster.redis}: ${roles || 'no shared channels'}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface ServeCommandOptions {
  /** Stops the server like SIGINT (tests). */
  signal?: AbortSignal;
  /** Passed to startAll (tests point the replay at missing data). */
  replay?: ServeOptions['replay'];
  /** Passed to startAll (tests use a data dir of their own). */
  studioDataDir?: string;
}

export function createServeCommand(
  out: Output = process.stdout,
  err: Output = process.stderr,
  options: ServeCommandOptions = {},
): Command & { parse(args: readonly string[]): ServeOptions } {
  return defineCommand({
    name: 'serve',
    summary: 'serve every Tidewire app on one port (what `npm start` runs)',
    synopsis: [
      '[--host 127.0.0.1] [--port 8080] [--token TOKEN] [--allowed-hosts NAMES] [--no-storm] [--als FILE.als] [--osc-port 9002] [--redis URL] [--log-level info]',
    ],
    description: [
      'Serves every Tidewire app on one port:',
      '  /liveset/     Live Set mirror: the bundled set (or --als), moved by a built-in OSC simulator',
      '  /replay/      race replay: the 2024 Bahrain GP rebuilt from real data, ready to play',
      '  /signal-lab/  audio test bench: AudioWorklet generators and effects, Faust DSP, meters',
      '  /demo/        the core demo: a generated 50-track project under a simulated change storm',
      '  /studio/      Media Studio: scripts become narrated, captioned videos, rendered as queued jobs',
      "  /metrics      Prometheus metrics        /api/trees/:name   a tree channel's snapshot",
      '',
      'An app that cannot start (say its UDP port is taken) is reported and the others still serve.',
      '--token (or TIDEWIRE_TOKEN) is required when --host is not a loopback address.',
      'The server logs JSON lines on stderr (one short line each on a terminal): internal errors once,',
      'with their code and context, also counted in /metrics as tidewire_internal_errors_total.',
    ].join('\n'),
    options: OPTIONS,
    io: { out, err },
    check: toServeOptions,
    async run(opts) {
      let running: RunningServe;
      try {
        running = await startAll({
          ...opts,
          ...(options.replay ? { replay: options.replay } : {}),
          ...(options.studioDataDir ? { studioDataDir: options.studioDataDir } : {}),
          log: { stream: err, format: (err as { isTTY?: boolean }).isTTY ? 'pretty' : 'json' },
        });
      } catch (e) {
        const coded = e as { code?: unknown; message?: unknown };
        if (typeof coded.code !== 'string') throw e;
        err.write(`tidewire serve: ${coded.code}: ${String(coded.message)}\n`);
        return 1;
      }
      out.write(formatStatus(running.url, running.apps, running.cluster));
      const stopWatching = watchProcess(running.server);
      await waitForStop(options.signal);
      out.write('tidewire: shutting down\n');
      await running.close();
      stopWatching();
      return 0;
    },
  });
}

/**
 * While serving, a promise rejection nobody handled (the apps' and the server's own async work)
 * is an internal error: logged once with its code, counted (component `process`), and the
 * server keeps serving the other apps. An uncaught exception still ends the process (its state
 * is unknown), after a `fatal` line. Returns the function that removes both listeners.
 */
export function watchProcess(server: TidewireServer): () => void {
  const onRejection = (reason: unknown) => server.reportError(reason, { source: 'unhandledRejection' }, 'unhandled promise rejection');
  const onUncaught = (err: unknown, origin: string) => server.log.fatal({ component: 'process', origin, err }, 'uncaught exception: exiting');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onUncaught);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onUncaught);
  };
}

export const serveCommand = createServeCommand();

/** `tidewire serve`'s arguments as options (throws UsageError; HelpRequested for --help). */
export function parseServeArgs(args: string[]): ServeOptions {
  return serveCommand.parse(args);
}
