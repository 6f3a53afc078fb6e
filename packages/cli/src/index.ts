// @tidewire/cli: what every `tidewire` subcommand shares: the Command shape, one declarative
// argument parser (args.ts) with its validators, and the usage-error format.
export { UsageError, parsePort, parseOrUsage } from './command.ts';
export type { Command, Output } from './command.ts';
export { defineCommand, defineGroup, formatUsage, parseCommandArgs, HelpRequested } from './args.ts';
export type { OptionSpec, OptionsTable, OptionValues, PositionalsSpec, ArgsSpec, ParsedArgs, CommandSpec, CommandIo, GroupSpec } from './args.ts';
export { port, integer, number, oneOf } from './validators.ts';
