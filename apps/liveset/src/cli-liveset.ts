// `tidewire liveset --als PATH …`: a Tidewire server with the Live Set mirror on it, until
// SIGINT or SIGTERM. The tree is at GET /api/trees/liveset, the page at /liveset/.
import { parseOrUsage, parsePort, UsageError } from '@tidewire/cli';
import type { Command } from '@tidewire/cli';
import { createServer, waitForStop } from '@tidewire/server';
import { AlsError } from './als/errors.ts';
import type { Output } from './cli.ts';
import { LiveSetError } from './errors.ts';
import { DEFAULT_OSC_PORT } from './mirror.ts';
import { mountLiveSet } from './mount.ts';
import type { MountLiveSetOptions } from './mount.ts';

const USAGE = [
  'usage: tidewire liveset --als PATH [--host 127.0.0.1] [--port N] [--osc-port N]',
  '                        [--abletonosc HOST:PORT] [--live HOST:PORT] [--simulate]',
  '',
  'Mirrors an Ableton Live Set to browsers: the .als (re-read on every save), OSC events from',
  'Live, and optionally Live itself through the AbletonOSC remote script.',
  '',
  'options:',
  '  --als PATH             the Live Set (.als) to mirror',
  '  --host HOST            HTTP/WebSocket interface (default 127.0.0.1; another needs TIDEWIRE_TOKEN)',
  '  --port N               HTTP/WebSocket port (default 8080, 0 = any free port)',
  `  --osc-port N           UDP port for OSC events from Live (default ${DEFAULT_OSC_PORT}, on 127.0.0.1)`,
  '  --abletonosc HOST:PORT sync from Live through AbletonOSC (usually 127.0.0.1:11000; replies on 11001)',
  '  --live HOST:PORT       where control messages go without --abletonosc (default 127.0.0.1:11000)',
  '  --simulate             play a simulated Live into the mirror (no Live needed)',
  '',
  'environment: TIDEWIRE_TOKEN  bearer token required from clients (needed for a non-loopback --host)',
].join('\n');

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
}

function parse(args: string[]): Parsed | 'help' {
  const out: Parsed = { host: '127.0.0.1', port: 8080, mount: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--help':
      case '-h':
        return 'help';
      case '--als':
        out.mount.alsPath = value();
        break;
      case '--host':
        out.host = value();
        break;
      case '--port':
        out.port = parsePort(a, value());
        break;
      case '--osc-port':
        out.mount.oscPort = parsePort(a, value());
        break;
      case '--abletonosc':
        out.mount.abletonOsc = parseHostPort(a, value());
        break;
      case '--live': {
        const { host, port } = parseHostPort(a, value());
        out.mount.liveControl = { address: host, port };
        break;
      }
      case '--simulate':
        out.mount.simulate = true;
        break;
      default:
        throw new UsageError(a.startsWith('-') ? `unknown option '${a}'` : `unexpected argument '${a}'`);
    }
  }
  if (out.mount.alsPath === undefined && out.mount.abletonOsc === undefined) throw new UsageError('--als PATH is required (or --abletonosc HOST:PORT)');
  if (out.mount.simulate && out.mount.abletonOsc) throw new UsageError('--simulate stands in for Live; it cannot be combined with --abletonosc');
  return out;
}

export function createLivesetCommand(out: Output = process.stdout, err: Output = process.stderr, options: LivesetCommandOptions = {}): Command {
  return {
    name: 'liveset',
    summary: 'mirror an Ableton Live Set (and Live over OSC) to browsers',
    usage: USAGE,
    async run(args: string[]): Promise<number> {
      const parsed = parseOrUsage(parse, args, { prefix: 'tidewire liveset', usage: USAGE, out, err });
      if ('exit' in parsed) return parsed.exit;
      const env = options.env ?? process.env;
      const token = env.TIDEWIRE_TOKEN || undefined;
      const server = await createServer({ host: parsed.host, port: parsed.port, token });
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
      if (parsed.mount.abletonOsc) out.write(`  AbletonOSC at ${parsed.mount.abletonOsc.host}:${parsed.mount.abletonOsc.port}, replies on udp port ${mounted.mirror.linkPort}\n`);
      if (parsed.mount.simulate) out.write('  simulating Live\n');
      await waitForStop(options.signal);
      await mounted.close();
      await server.close();
      out.write('stopped\n');
      return 0;
    },
  };
}

export const livesetCommand: Command = createLivesetCommand();
