// mountLiveSet: the Live Set mirror on an existing Tidewire server (what `tidewire serve` and
// `tidewire liveset` call). The page itself is served by the caller under `path`.
import { basename } from 'node:path';
import type { ClusterParts, TidewireServer } from '@tidewire/server';
import type { AbletonOscOptions } from './abletonosc/link.ts';
import { LiveSetError } from './errors.ts';
import { LiveSetMirror } from './mirror.ts';
import type { LiveSetMirrorOptions } from './mirror.ts';
import type { OscPeer } from './osc/udp.ts';
import { Simulator } from './simulator.ts';

export interface MountLiveSetOptions {
  /** The Live Set to mirror (re-read on save). Required unless `abletonOsc` is given. */
  alsPath?: string;
  /** OSC event port (default 9002), bound on `oscHost` (default 127.0.0.1). */
  oscPort?: number;
  oscHost?: string;
  /** Sync from a running Live through AbletonOSC (its host and port, usually 127.0.0.1:11000). */
  abletonOsc?: { host: string; port: number } & Partial<AbletonOscOptions>;
  /** Where control messages go without AbletonOSC (default 127.0.0.1:11000). */
  liveControl?: OscPeer;
  /** Play a simulated Live into the event port and answer control messages (demo without Live). */
  simulate?: boolean;
  /** The simulated Live's random events per second (default 30; 0 keeps it still: it only answers control). */
  simulatorRate?: number;
  log?: (message: string) => void;
}

export interface MountedLiveSet {
  /** Where the UI is served. */
  path: '/liveset/';
  title: string;
  readonly mirror: LiveSetMirror;
  readonly simulator: Simulator | null;
  /** What goes into a cluster (`tidewire serve --redis`): only the owner of the tree talks to Live (docs/cluster.md §9). */
  readonly cluster: ClusterParts;
  close(): Promise<void>;
}

export async function mountLiveSet(server: TidewireServer, options: MountLiveSetOptions): Promise<MountedLiveSet> {
  if (options === null || typeof options !== 'object') throw new LiveSetError('LIVESET_BAD_OPTION', 'options must be an object');
  if (options.alsPath === undefined && options.abletonOsc === undefined) {
    throw new LiveSetError('LIVESET_BAD_OPTION', 'mountLiveSet needs alsPath, abletonOsc, or both');
  }
  if (options.simulate && options.abletonOsc) {
    throw new LiveSetError('LIVESET_BAD_OPTION', 'simulate stands in for Live; it cannot be combined with abletonOsc');
  }
  const mirrorOptions: LiveSetMirrorOptions = {
    alsPath: options.alsPath,
    oscPort: options.oscPort,
    oscHost: options.oscHost,
    abletonOsc: options.abletonOsc,
    liveControl: options.liveControl,
    log: options.log,
  };
  const mirror = await LiveSetMirror.start(server, mirrorOptions);
  let simulator: Simulator | null = null;
  if (options.simulate) {
    try {
      simulator = await Simulator.start({
        ...(options.simulatorRate !== undefined ? { rate: options.simulatorRate } : {}),
        // A wildcard bind is reachable on loopback; the simulator always sends there.
        target: {
          address: options.oscHost === undefined || options.oscHost === '0.0.0.0' || options.oscHost === '::' ? '127.0.0.1' : options.oscHost,
          port: mirror.oscPort,
        },
        shape: {
          get map() {
            return mirror.map;
          },
          get rootId() {
            return mirror.channel.tree.root.id;
          },
          attrsOf: (id) => mirror.channel.tree.get(id)?.attrs,
        },
      });
    } catch (err) {
      await mirror.close();
      throw err;
    }
    mirror.setControlPeer(simulator.peer);
    mirror.publish('live', { mode: 'simulator', oscPort: mirror.oscPort });
  }
  const name = options.alsPath !== undefined ? basename(options.alsPath).replace(/\.als$/i, '') : 'Live';
  return {
    path: '/liveset/',
    title: `Live Set mirror: ${name}`,
    mirror,
    simulator,
    cluster: {
      tree: mirror.channel,
      events: [mirror.events],
      requests: [mirror.controlChannel],
      onRole(role) {
        const owner = role === 'owner';
        // The simulated Live stands for the one Live of the cluster: only the owner's plays.
        if (simulator !== null) simulator.active = owner;
        if (!owner) return mirror.follow();
        mirror.lead();
        if (simulator !== null) mirror.publish('live', { mode: 'simulator', oscPort: mirror.oscPort });
      },
    },
    async close() {
      await simulator?.close();
      await mirror.close();
    },
  };
}
