// `tidewire replay serve FILE | --race NAME | --udp PORT [--port N] [--host H]`: a Tidewire
// server with a race replay (or a live UDP feed) and the replay page, until SIGINT or SIGTERM.
import { createServer, waitForStop } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { defineCommand, integer, logLevelOption, port, UsageError } from '@tidewire/cli';
import type { Command, LogLevelName, OptionsTable, ParsedArgs } from '@tidewire/cli';
import type { Output } from '../cli.ts';
import { failWithCode } from '../cli-common.ts';
import { ReplayError } from '../generate/errors.ts';
import { BUNDLED_RACES } from '../generate/load.ts';
import { DEFAULT_TIMELINE, mountReplay, replayDist, replayDistExists } from './mount.ts';
import { DEFAULT_RACE } from './race-file.ts';

export interface ReplayServeOptions {
  /** Stops the server like SIGINT (tests). */
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
  dataRoot?: string;
  cacheDir?: string;
  /** Loads the UDP importer's module (tests pass their own). */
  importIngest?: () => Promise<unknown>;
}

/** What this command uses of the UDP importer (apps/replay/src/import, docs/replay-import.md). */
export interface IngestModule {
  mountReplayIngest(
    server: TidewireServer,
    options: {
      channel: string;
      udpPort: number;
      record?: string;
      recordTimeline?: string;
      fromCapture?: string;
      fast?: boolean;
      onWarning?: (message: string) => void;
    },
  ): Promise<{
    readonly channel: { readonly name: string };
    readonly udpAddress: { address: string; port: number } | null;
    close(): Promise<unknown>;
  }>;
}

interface Parsed {
  host: string;
  port: number;
  file?: string;
  race?: string;
  seed?: number;
  data?: string;
  udp?: number;
  record?: string;
  recordTimeline?: string;
  fromCapture?: string;
  fast?: boolean;
  logLevel?: LogLevelName;
}

const OPTIONS = {
  race: { type: 'string', value: 'NAME', help: `a bundled race: ${Object.keys(BUNDLED_RACES).join(', ')} (default ${DEFAULT_RACE})` },
  seed: { type: 'string', value: 'N', parse: integer(0, 0xffffffff), help: 'the generator seed for --race (default 1)' },
  data: { type: 'string', value: 'DIR', help: 'where the bundled data is (default: apps/replay/data)' },
  udp: { type: 'string', value: 'PORT', parse: port({ allowZero: false }), help: 'receive F1 game UDP telemetry on this port (a live timeline)' },
  record: { type: 'string', value: 'FILE', help: 'also write the raw packets to a capture file' },
  'record-timeline': { type: 'string', value: 'FILE', help: 'also write the live timeline to a segment file as it is recorded' },
  'from-capture': { type: 'string', value: 'FILE', help: 'replay a capture into the live timeline (at its pace; --fast: at once)' },
  fast: { type: 'boolean', help: 'with --from-capture: feed the whole capture at once' },
  host: { type: 'string', value: 'HOST', default: '127.0.0.1', help: 'HTTP/WebSocket interface (default 127.0.0.1; another needs TIDEWIRE_TOKEN)' },
  port: { type: 'string', value: 'N', default: '8080', parse: port(), help: 'HTTP/WebSocket port (default 8080, 0 = any free port)' },
  'log-level': logLevelOption(),
} as const satisfies OptionsTable;

/** One source (FILE, --race or --udp; the default race when none), and the options that go with it. */
function check({ values: v, positionals }: ParsedArgs<typeof OPTIONS>): Parsed {
  const out: Parsed = {
    host: v.host,
    port: v.port,
    file: positionals[0],
    race: v.race,
    seed: v.seed,
    data: v.data,
    udp: v.udp,
    record: v.record,
    recordTimeline: v['record-timeline'],
    fromCapture: v['from-capture'],
    fast: v.fast,
    logLevel: v['log-level'],
  };
  const sources = [out.file !== undefined, out.race !== undefined, out.udp !== undefined].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give one of FILE, --race NAME or --udp PORT');
  if ((out.seed !== undefined || out.data !== undefined) && out.file === undefined && out.udp === undefined) out.race ??= DEFAULT_RACE;
  if ((out.seed !== undefined || out.data !== undefined) && out.race === undefined) throw new UsageError('--seed and --data go with --race');
  if ((out.record !== undefined || out.recordTimeline !== undefined || out.fromCapture !== undefined || out.fast) && out.udp === undefined) {
    throw new UsageError('--record, --record-timeline, --from-capture and --fast go with --udp');
  }
  if (sources === 0) out.race = DEFAULT_RACE;
  return out;
}

/** The UDP importer (tests inject a stub through `options.importIngest`). */
function importIngest(): Promise<unknown> {
  return import('../import/index.ts');
}

async function loadIngest(load: () => Promise<unknown>): Promise<IngestModule> {
  let mod: Partial<IngestModule> | null;
  try {
    mod = (await load()) as Partial<IngestModule> | null;
  } catch (e) {
    throw new ReplayError(
      'REPLAY_BAD_OPTION',
      `--udp is not available: the UDP importer (apps/replay/src/import) could not be loaded (${(e as Error).message})`,
      { cause: e },
    );
  }
  if (typeof mod?.mountReplayIngest !== 'function')
    throw new ReplayError('REPLAY_BAD_OPTION', '--udp is not available: apps/replay/src/import has no mountReplayIngest');
  return mod as IngestModule;
}

/** The app's one-string messages as lines of the server's log (docs/server.md §6), tagged `app: replay`. */
function appLog(server: TidewireServer, level: 'info' | 'warn'): (message: string) => void {
  const log = server.log.child({ app: 'replay' });
  return (message) => log[level](message);
}

export function createReplayServeCommand(out: Output = process.stdout, err: Output = process.stderr, options: ReplayServeOptions = {}): Command {
  return defineCommand({
    name: 'replay serve',
    summary: 'serve a race replay (file, bundled race or live UDP) with its page',
    synopsis: [
      'FILE [--port N] [--host HOST]',
      '--race NAME [--seed N] [--data DIR] [--port N] [--host HOST]',
      '--udp PORT [--record FILE] [--record-timeline FILE] [--from-capture FILE [--fast]] [--port N] [--host HOST]',
    ],
    description: [
      'Serves a race replay and its page (/replay/): a replay file, a bundled race (generated once',
      'and cached in .cache/replay/), or a live feed of F1 game telemetry on a UDP port.',
    ].join('\n'),
    options: OPTIONS,
    positionals: { name: 'FILE', min: 0, max: 1 },
    footer: 'environment: TIDEWIRE_TOKEN  bearer token required from clients (needed for a non-loopback --host)',
    io: { out, err },
    check,
    async run(parsed) {
      const env = options.env ?? process.env;
      let server: TidewireServer | undefined;
      let closeApp: (() => Promise<void>) | undefined;
      try {
        server = await createServer({
          host: parsed.host,
          port: parsed.port,
          token: env.TIDEWIRE_TOKEN || undefined,
          // docs/server.md §6: JSON lines on the command's stderr, one short line each on a terminal.
          logger: { ...(parsed.logLevel ? { level: parsed.logLevel } : {}), stream: err, format: err.isTTY ? 'pretty' : 'json' },
        });
        let title: string;
        let timeline: string | undefined;
        if (parsed.udp !== undefined) {
          const ingest = await loadIngest(options.importIngest ?? importIngest);
          // The live timeline takes the name the page plays by default.
          const mounted = await ingest.mountReplayIngest(server, {
            channel: DEFAULT_TIMELINE,
            udpPort: parsed.udp,
            ...(parsed.record !== undefined ? { record: parsed.record } : {}),
            ...(parsed.recordTimeline !== undefined ? { recordTimeline: parsed.recordTimeline } : {}),
            ...(parsed.fromCapture !== undefined ? { fromCapture: parsed.fromCapture } : {}),
            ...(parsed.fast ? { fast: true } : {}),
            // Problems that do not stop the server (a recording file that hit a full disk…), with their code, in the server's log (docs/server.md §6).
            onWarning: appLog(server, 'warn'),
          });
          closeApp = async () => {
            await mounted.close();
          };
          const udp = mounted.udpAddress;
          title = `Live F1 game telemetry on udp://${udp ? `${udp.address}:${udp.port}` : `127.0.0.1:${parsed.udp}`}`;
          timeline = mounted.channel.name;
        } else {
          const log = appLog(server, 'info');
          const mounted = await mountReplay(
            server,
            parsed.file !== undefined
              ? { file: parsed.file }
              : { race: parsed.race, seed: parsed.seed, dataRoot: parsed.data ?? options.dataRoot, cacheDir: options.cacheDir, log },
          );
          closeApp = () => mounted.close();
          title = mounted.title;
        }
        if (replayDistExists()) await server.serveStatic('/replay/', replayDist());
        else err.write(`tidewire replay serve: ${replayDist()} is missing — run \`npm run build\` to build the page (the API still works)\n`);
        server.fastify.get('/', (_req, reply) => reply.redirect('/replay/'));
        const url = await server.listen();
        const query = timeline !== undefined && timeline !== DEFAULT_TIMELINE ? `?timeline=${encodeURIComponent(timeline)}` : '';
        out.write(`${title}\n`);
        out.write(`  page:      ${url}/replay/${query}\n`);
        out.write(`  metadata:  ${url}/api/timelines/${timeline ?? DEFAULT_TIMELINE}\n`);
      } catch (e) {
        await closeApp?.();
        await server?.close();
        return failWithCode(err, 'serve', e);
      }
      await waitForStop(options.signal);
      await closeApp?.();
      await server.close();
      out.write('stopped\n');
      return 0;
    },
  });
}

export const replayServeCommand: Command = createReplayServeCommand();
