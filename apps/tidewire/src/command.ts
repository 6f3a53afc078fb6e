/** A `tidewire` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
  /** True when the command dispatches to subcommands that print their own --help. */
  subcommands?: boolean;
}
