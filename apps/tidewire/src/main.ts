// The tidewire command line: `tidewire <command> [options]`. Each app contributes its
// commands through a `commands` export; this file only dispatches (@tidewire/cli's defineGroup:
// the same usage and error format as every subcommand).
import { defineGroup } from '@tidewire/cli';
import { alsInfoCommand, livesetCommand } from '@tidewire/liveset';
import { replayCommand } from '@tidewire/replay';
import { studioCommand } from '@tidewire/studio/cli';
import { serveCommand } from './serve.ts';

const tidewire = defineGroup({
  name: '',
  summary: 'the Tidewire apps and their tools',
  commands: [serveCommand, livesetCommand, alsInfoCommand, replayCommand, studioCommand],
});

export async function main(argv: string[]): Promise<number> {
  try {
    return await tidewire.run(argv);
  } catch (err) {
    // A coded error a command did not handle itself; anything else is a bug and shows its stack.
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e?.code !== 'string') throw err;
    console.error(`tidewire ${argv[0]}: ${e.code}: ${String(e.message)}`);
    return 1;
  }
}
