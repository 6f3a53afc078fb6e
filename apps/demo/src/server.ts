// Mounts the demo on a Tidewire server: tree channel `demo` (the generated project), events
// channel `demo-transport`, the change storm, and the built page under /demo/.
import type { TidewireServer } from '@tidewire/server';
import { generateProject } from './generate.ts';
import type { ProjectOptions } from './generate.ts';
import { ChangeStorm } from './storm.ts';
import type { StormOptions } from './storm.ts';

export interface DemoOptions {
  project?: ProjectOptions;
  /** Run the simulated change storm (default true). */
  storm?: boolean | StormOptions;
}

export interface MountedApp {
  /** Where the app's page is served. */
  path: string;
  title: string;
  close(): void | Promise<void>;
}

export function mountDemo(server: TidewireServer, options: DemoOptions = {}): MountedApp {
  const project = generateProject(options.project);
  const tree = server.tree('demo', project);
  const transport = server.events('demo-transport');
  let storm: ChangeStorm | null = null;
  if (options.storm !== false) {
    const stormOptions = typeof options.storm === 'object' ? options.storm : {};
    storm = new ChangeStorm(project, tree, transport, stormOptions);
    storm.startLoop();
  }
  return { path: '/demo/', title: 'Core demo', close: () => storm?.stop() };
}
