// @tidewire/cli: what every `tidewire` subcommand shares: the Command shape, one declarative
// argument parser (args.ts) with its validators, the usage-error format, and how a command
// writes the files it is asked to (output-file.ts: no links, devices or FIFOs; atomic).
export { UsageError, parsePort, parseOrUsage } from './command.ts';
export type { Command, Output } from './command.ts';
export { defineCommand, defineGroup, formatUsage, parseCommandArgs, HelpRequested } from './args.ts';
export type { OptionSpec, OptionsTable, OptionValues, PositionalsSpec, ArgsSpec, ParsedArgs, CommandSpec, CommandIo, GroupSpec } from './args.ts';
export { port, integer, number, oneOf } from './validators.ts';
export { CliError, CliErrorCodes } from './errors.ts';
export type { CliErrorCode } from './errors.ts';
export { checkOutputPath, commitOutputFile, describeFileType, openOutputFile, tempPathBeside, writeOutputFile } from './output-file.ts';
export { LOG_LEVELS, logLevelOption } from './log-option.ts';
export type { LogLevelName } from './log-option.ts';
