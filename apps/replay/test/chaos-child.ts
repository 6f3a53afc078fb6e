// Child process for the chaos tests: `tidewire replay serve` as the CLI runs it
// (createReplayServeCommand with this process's argv), so a test can SIGKILL a real recorder.
import { createReplayServeCommand } from '../src/serve/command.ts';

process.exitCode = await createReplayServeCommand().run(process.argv.slice(2));
