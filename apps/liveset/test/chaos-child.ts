// Child process for chaos-watch.test.ts: `tidewire liveset` as the CLI runs it (createLivesetCommand
// with this process's argv), so the test can write the .als under a real, separate process.
import { createLivesetCommand } from '../src/cli-liveset.ts';

process.exitCode = await createLivesetCommand().run(process.argv.slice(2));
