/** A `tidewire` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
  /** True when the command dispatches to subcommands that print their own --help. */
  subcommands?: boolean;
}

/** Where a command writes (process.stdout/stderr, or a test's sink). */
export interface Output {
  write(text: string): void;
}

/** A command-line mistake: the command prints it with its usage and exits with 2. */
export class UsageError extends Error {}

/** A TCP or UDP port from a flag's value: 0–65535, or 1–65535 when `allowZero` is false. */
export function parsePort(flag: string, v: string | undefined, allowZero = true): number {
  if (v === undefined || !/^\d{1,5}$/.test(v) || Number(v) > 65_535 || (!allowZero && Number(v) === 0)) {
    throw new UsageError(`${flag} needs a port number (${allowZero ? 0 : 1}–65535), got ${v ?? 'nothing'}`);
  }
  return Number(v);
}

/**
 * Runs a command's argument parser the way every subcommand does: `--help` prints the usage
 * (exit 0), a UsageError prints `prefix: message` and the usage (exit 2); either way the exit
 * code comes back instead of the parsed arguments. Other errors propagate.
 */
export function parseOrUsage<T>(
  parse: (args: string[]) => T | 'help',
  args: string[],
  io: { prefix: string; usage: string; out: { write(text: string): void }; err: { write(text: string): void } },
): T | { exit: number } {
  let parsed: T | 'help';
  try {
    parsed = parse(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err.write(`${io.prefix}: ${e.message}\n${io.usage}\n`);
    return { exit: 2 };
  }
  if (parsed === 'help') {
    io.out.write(`${io.usage}\n`);
    return { exit: 0 };
  }
  return parsed;
}
