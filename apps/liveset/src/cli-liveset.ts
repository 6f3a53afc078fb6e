// `tidewire liveset --als PATH …`: a Tidewire server with the Live Set mirror on it, until
// SIGINT or SIGTERM. The tree is at GET /api/trees/liveset, the page at /liveset/.
import { defineCommand, logLevelOption, parsePort, port, UsageError } from '@tidewire/cli';
import type { Command, LogLevelName, OptionsTable, ParsedArgs } from '@tidewire/cli';
import { createServer, waitForStop } from '@tidewire/server';
import { AlsError } from './als/errors.ts';
import type { Output } from './cli.ts';
import { LiveSetError } from './errors.ts';
import { DEFAULT_OSC_PORT } from './mirror.ts';
import { mountLiveSet } from './mount.ts';
import type { MountLiveSetOptions } from './mount.ts';

export interface LivesetCommandOptions {
  /** Stops the server like SIGINT (tests). */
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
}

/** `host:port`, `[v6]:port`. */
export function parseHostPort(flag: string, v: string | undefined): { host: string; port: number } {
  const m = v === undefined ? null : /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v);
  if (!m) throw new UsageError(`${flag} needs HOST:PORT, got ${v ?? 'nothing'}`);
  const port = parsePort(flag, m[3]);
  if (port === 0) throw new UsageError(`${flag} needs a non-zero port`);
  return { host: m[1] ?? m[2]!, port };
}

interface Parsed {
  host: string;
  port: number;
  mount: MountLiveSetOptions;
  logLevel: LogLevelName;
}

const OPTIONS = {
  als: { type: 'string', value: 'PATH', help: 'the Live Set (.als) to mirror' },
  host: { type: 'string', value: 'HOST', default: '127.0.0.1', help: 'HTTP/WebSocket interface (default 127.0.0.1; another needs TIDEWIRE_TOKEN)' },
  port: { type: 'string', value: 'N', default: '8080', parse: port(), help: 'HTTP/WebSocket port (default 8080, 0 = any free port)' },
  'osc-port': { type: 'string', value: 'N', parse: port(), help: `UDP port for OSC events from Live (default ${DEFAULT_OSC_PORT}, on 127.0.0.1)` },
  abletonosc: {
    type: 'string',
    value: 'HOST:PORT',
    parse: (v: string, flag: string) => parseHostPort(flag, v),
    help: 'sync from Live through AbletonOSC (usually 127.0.0.1:11000; replies on 11001)',
  },
  live: {
    type: 'string',
    value: 'HOST:PORT',
    parse: (v: string, flag: string) => parseHostPort(flag, v),
    help: 'where control messages go without --abletonosc (default 127.0.0.1:11000)',
  },
  simulate: { type: 'boolean', help: 'play a simulated Live into the mirror (no Live needed)' },
  'log-level': logLevelOption(),
} as const satisfies OptionsTable;

/** The cross-option rules: a source is needed, and the simulator stands in for Live. */
function check({ values: v }: ParsedArgs<typeof OPTIONS>): Parsed {
  if (v.als === undefined && v.abletonosc === undefined) throw new UsageError('--als PATH is required (or --abletonosc HOST:PORT)');
  if (v.simulate && v.abletonosc) throw new UsageError('--simulate stands in for Live; it cannot be combined with --abletonosc');
  const mount: MountLiveSetOptions = {};
  if (v.als !== undefined) mount.alsPath = v.als;
  if (v['osc-port'] !== undefined) mount.oscPort = v['osc-port'];
  if (v.abletonosc !== undefined) mount.abletonOsc = v.abletonosc;
  if (v.live !== undefined) mount.liveControl = { address: v.live.host, port: v.live.port };
  if (v.simulate) mount.simulate = true;
  return { host: v.host, port: v.port, mount, logLevel: v['log-level'] };
}

export function createLivesetCommand(out: Output = process.stdout, err: Output = process.stderr, options: LivesetCommandOptions = {}): Command {
  return defineCommand({
    name: 'liveset',
    summary: 'mirror an Ableton Live Set (and Live over OSC) to browsers',
    synopsis: ['--als PATH [--host 127.0.0.1] [--port N] [--osc-port N] [--abletonosc HOST:PORT] [--live HOST:PORT] [--simulate]'],
    description: [
      'Mirrors an Ableton Live Set to browsers: the .als (re-read on every save), OSC events from',
      'Live, and optionally Live itself through the AbletonOSC remote script.',
    ].join('\n'),
    options: OPTIONS,
    footer: 'environment: TIDEWIRE_TOKEN  bearer token required from clients (needed for a non-loopback --host)',
    io: { out, err },
    check,
    async run(parsed) {
      const env = options.env ?? process.env;
      const token = env.TIDEWIRE_TOKEN || undefined;
      // docs/server.md §6: JSON lines on the command's stderr, one short line each on a terminal.
      const server = await createServer({
        host: parsed.host,
        port: parsed.port,
        token,
        logger: { level: parsed.logLevel, stream: err, format: (err as { isTTY?: boolean }).isTTY ? 'pretty' : 'json' },
      });
      let mounted;
      try {
        mounted = await mountLiveSet(server, { ...parsed.mount, log: (m) => err.write(`tidewire liveset: ${m}\n`) });
      } catch (e) {
        await server.close();
        if (!AlsError.is(e) && !LiveSetError.is(e)) throw e;
        err.write(`tidewire liveset: ${e.code}: ${e.message}\n`);
        return 1;
      }
      const url = await server.listen();
      out.write(`${mounted.title}\n`);
      out.write(`  page:      ${url}${mounted.path}\n`);
      out.write(`  tree:      ${url}/api/trees/liveset\n`);
      out.write(`  OSC events on udp://${parsed.mount.oscHost ?? '127.0.0.1'}:${mounted.mirror.oscPort}\n`);
      if (parsed.mount.abletonOsc)
        out.write(`  AbletonOSC at ${parsed.mount.abletonOsc.host}:${parsed.mount.abletonOsc.port}, replies on udp port ${mounted.mirror.linkPort}\n`);
      if (parsed.mount.simulate) out.write('  simulating Live\n');
      await waitForStop(options.signal);
      await mounted.close();
      await server.close();
      out.write('stopped\n');
      return 0;
    },
  });
}

export const livesetCommand: Command = createLivesetCommand();
