// The tidewire command line: `tidewire <command> [options]`. Each app contributes its
// commands through a `commands` export; this file only dispatches.
import type { Command } from '@tidewire/cli';
import { alsInfoCommand, livesetCommand } from '@tidewire/liveset';
import { replayCommand } from '@tidewire/replay';
import { serveCommand } from './serve.ts';

const commands: Command[] = [serveCommand, livesetCommand, alsInfoCommand, replayCommand];

function usage(): string {
  const lines = ['usage: tidewire <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Run `tidewire <command> --help` for its options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`tidewire: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  // `tidewire <command> --help`; a command with subcommands (replay) answers for itself.
  if ((rest[0] === '--help' || rest[0] === '-h') || (!command.subcommands && (rest.includes('--help') || rest.includes('-h')))) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    console.error(`tidewire ${name}: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`);
    return 1;
  }
}
