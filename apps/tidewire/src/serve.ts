// `tidewire serve`: one server, every app. What `npm start` runs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer, waitForStop } from '@tidewire/server';
import type { StaticOptions, TidewireServer } from '@tidewire/server';
import { mountDemo } from '@tidewire/demo';
import { BUNDLED_SET, mountLiveSet } from '@tidewire/liveset';
import { mountReplay } from '@tidewire/replay';
import { mountSignalLab } from '@tidewire/signal-lab';
import { parsePort } from '@tidewire/cli';
import type { Command } from '@tidewire/cli';

const USAGE = `usage: tidewire serve [--host 127.0.0.1] [--port 8080] [--token TOKEN] [--no-storm]
                      [--als FILE.als] [--osc-port 9002]

Serves every Tidewire app on one port:
  /liveset/   Live Set mirror: the bundled set (or --als), moved by a built-in OSC simulator
  /replay/    race replay: the 2024 Bahrain GP rebuilt from real data, ready to play
  /signal-lab/  audio test bench: AudioWorklet generators and effects, Faust DSP, meters
  /demo/      the core demo: a generated 50-track project under a simulated change storm
  /metrics    Prometheus metrics        /api/trees/:name   a tree channel's snapshot

--token (or TIDEWIRE_TOKEN) is required when --host is not a loopback address.`;

/** Where an app's Vite build lands (apps/<name>/dist). */
export function appDist(app: string): string {
  return fileURLToPath(new URL(`../../${app}/dist/`, import.meta.url));
}

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  storm: boolean;
  als: string;
  oscPort: number;
}

/** The Live Set `npm start` mirrors (an MIT-licensed fixture; see apps/liveset/fixtures/README.md). */
export { BUNDLED_SET };

export function parseServeArgs(args: string[]): ServeOptions {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      token: { type: 'string' },
      'no-storm': { type: 'boolean', default: false },
      als: { type: 'string', default: BUNDLED_SET },
      'osc-port': { type: 'string', default: '9002' },
    },
    strict: true,
  });
  const port = parsePort('--port', values.port);
  const oscPort = parsePort('--osc-port', values['osc-port']);
  const token = values.token ?? process.env.TIDEWIRE_TOKEN;
  return { host: values.host!, port, storm: !values['no-storm'], als: values.als!, oscPort, ...(token ? { token } : {}) };
}

/** Starts the server with every app mounted; resolves once it listens. */
export async function startAll(opts: ServeOptions): Promise<{ server: TidewireServer; url: string; close(): Promise<void> }> {
  const server = await createServer({ host: opts.host, port: opts.port, ...(opts.token ? { token: opts.token } : {}), logger: false });
  const apps = [
    await mountLiveSet(server, { alsPath: opts.als, oscPort: opts.oscPort, simulate: true }),
    // The bundled race: generated on the first start (~4 s), then loaded from .cache/replay/.
    await mountReplay(server, { race: '2024-bahrain' }),
    // Cross-origin isolated (COOP/COEP) so SharedArrayBuffer ring buffers work.
    mountSignalLab(server),
    mountDemo(server, { storm: opts.storm }),
  ];
  for (const app of apps) {
    const dist = appDist(app.path.replaceAll('/', ''));
    if (existsSync(dist)) await server.serveStatic(app.path, dist, 'staticOptions' in app ? (app.staticOptions as StaticOptions) : undefined);
    else console.warn(`tidewire: ${dist} is missing — run \`npm run build\` to build the ${app.title} page`);
  }
  server.fastify.get('/', (_req, reply) => reply.redirect(apps[0]!.path));
  const url = await server.listen();
  return {
    server,
    url,
    async close() {
      for (const app of apps) await app.close();
      await server.close();
    },
  };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve every Tidewire app on one port (what `npm start` runs)',
  usage: USAGE,
  async run(args) {
    const opts = parseServeArgs(args);
    const running = await startAll(opts);
    console.log(`Tidewire is serving on ${running.url}/  (Ctrl+C to stop)`);
    await waitForStop();
    console.log('tidewire: shutting down');
    await running.close();
    return 0;
  },
};
