// The one argument parser of every `tidewire` subcommand: a declarative options table over
// node:util parseArgs. A command states its options once (type, value name, default, help text,
// validator) and gets typed values, the same `--help`, the same usage text layout and the same
// error format (`tidewire <cmd>: <message>` then the usage, exit 2) as every other command.
import { parseArgs } from 'node:util';
import { UsageError } from './command.ts';
import { CliError } from './errors.ts';
import type { Command, Output } from './command.ts';

/** One option of a command. `parse` validates and converts a string value (throw UsageError). */
export interface OptionSpec<T = unknown> {
  type: 'string' | 'boolean';
  /** A one-letter alias (`-j`). */
  short?: string;
  /** The value's name in the usage (`--port N`); strings only, default `VALUE`. */
  value?: string;
  /** One line (or a few) for the options table; say the default here. */
  help: string;
  /** A string option's value when it is absent, run through `parse` like a given one (a function is read at parse time, e.g. from the environment). */
  default?: string | (() => string | undefined);
  parse?: (raw: string, flag: string) => T;
}

export type OptionsTable = Record<string, OptionSpec>;

/** What a table parses into: booleans are always there, a string option with a default too. */
export type OptionValues<O extends OptionsTable> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { parse: (raw: string, flag: string) => infer T }
      ? O[K] extends { default: string | (() => string) }
        ? T
        : T | undefined
      : O[K] extends { default: string | (() => string) }
        ? string
        : string | undefined;
};

export interface PositionalsSpec {
  /** Their name in the usage (`FILE`). */
  name: string;
  min: number;
  max: number;
}

export interface ArgsSpec<O extends OptionsTable> {
  /** The command's words after `tidewire` (`replay generate`). */
  name: string;
  /** Usage lines without the `tidewire <name> ` prefix; generated from the table when absent. */
  synopsis?: string[];
  /** Paragraph(s) between the synopsis and the options table. */
  description?: string;
  options: O;
  /** Positional arguments allowed (default none). */
  positionals?: PositionalsSpec;
  /** Lines after the options table (environment variables, notes). */
  footer?: string;
}

export interface ParsedArgs<O extends OptionsTable> {
  values: OptionValues<O>;
  positionals: string[];
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help' };

function flagText(name: string, o: OptionSpec): string {
  const alias = o.short ? `-${o.short}, ` : '';
  return `${alias}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
}

/** The usage text: synopsis, description, an aligned options table (with --help), footer. */
export function formatUsage<O extends OptionsTable>(spec: ArgsSpec<O>): string {
  const prefix = `tidewire ${spec.name} `;
  const synopsis = spec.synopsis ?? [generatedSynopsis(spec)];
  const lines = synopsis.map((s, i) => `${i === 0 ? 'usage: ' : '       '}${prefix}${s}`.trimEnd());
  if (spec.description) lines.push('', spec.description);
  const rows = [...Object.entries(spec.options), ['help', HELP] as const].map(([name, o]) => [flagText(name, o), o.help] as const);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  lines.push('', 'options:');
  for (const [flag, help] of rows) {
    const [first, ...rest] = help.split('\n');
    lines.push(`  ${flag.padEnd(width)}${first}`);
    for (const r of rest) lines.push(`  ${' '.repeat(width)}${r}`);
  }
  if (spec.footer) lines.push('', spec.footer);
  return lines.join('\n');
}

function generatedSynopsis<O extends OptionsTable>(spec: ArgsSpec<O>): string {
  const parts = Object.entries(spec.options).map(([name, o]) => `[${flagText(name, o).replace(/^-\w, /, '')}]`);
  const p = spec.positionals;
  if (p) parts.unshift(p.min === 0 ? `[${p.name}${p.max > 1 ? '…' : ''}]` : `${p.name}${p.max > 1 ? '…' : ''}`);
  return parts.join(' ');
}

/** node:util's parse errors, reworded in our format (its codes are stable, its messages are not ours). */
function usageErrorFrom(e: unknown, args: readonly string[]): UsageError {
  const err = e as { code?: string; message?: string };
  // 'Option '-j, --json' does …' names the long form last.
  const option = /'(?:-\w, )?(--?[^' ]+)/.exec(err.message ?? '')?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option '${option ?? args.find((a) => a.startsWith('-')) ?? '?'}'`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        /argument missing|ambiguous/.test(err.message ?? '') ? `${option ?? 'an option'} needs a value` : `${option ?? 'an option'} takes no value`,
      );
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${/'([^']*)'/.exec(err.message ?? '')?.[1] ?? '?'}'`);
    default:
      return new UsageError(err.message ?? String(e));
  }
}

/**
 * Parses `args` against the table: `--name value`, `--name=value`, `-x value`, `--flag`, `--` ends
 * the options. Returns 'help' for `--help`/`-h` anywhere. Throws UsageError for an unknown option,
 * a missing or empty value, a string option given twice, a value its validator refuses, or the
 * wrong number of positionals.
 */
export function parseCommandArgs<O extends OptionsTable>(spec: ArgsSpec<O>, args: readonly string[]): ParsedArgs<O> | 'help' {
  if (args.some((a) => a === '--help' || a === '-h')) {
    // Only before `--`: after it, `--help` is a positional.
    const end = args.indexOf('--');
    const at = args.findIndex((a) => a === '--help' || a === '-h');
    if (end === -1 || at < end) return 'help';
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: (spec.positionals?.max ?? 0) > 0, tokens: true });
  } catch (e) {
    throw usageErrorFrom(e, args);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || spec.options[t.name]?.type !== 'string') continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} given twice`);
    seen.add(t.name);
    if (t.value === '') throw new UsageError(`--${t.name} needs a value`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const flag = `--${name}`;
    const given = parsed.values[name];
    if (o.type === 'boolean') {
      values[name] = given === true;
      continue;
    }
    const raw = typeof given === 'string' ? given : typeof o.default === 'function' ? o.default() : o.default;
    values[name] = raw === undefined ? undefined : o.parse ? o.parse(raw, flag) : raw;
  }
  const p = spec.positionals ?? { name: '', min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (n > p.max && p.max <= 1) throw new UsageError(`unexpected argument '${parsed.positionals[p.max]}'`);
  if (n < p.min || n > p.max) throw new UsageError(`expected ${p.min === p.max ? p.min : `${p.min}–${p.max}`} ${p.name}, got ${n}`);
  return { values: values as OptionValues<O>, positionals: parsed.positionals };
}

export interface CommandIo {
  out?: Output;
  err?: Output;
}

export interface CommandSpec<O extends OptionsTable, R> extends ArgsSpec<O> {
  summary: string;
  /** Cross-option rules and shaping (throw UsageError); what it returns goes to `run`. */
  check?: (parsed: ParsedArgs<O>) => R;
  run(input: R): Promise<number>;
  io?: CommandIo;
}

/**
 * A Command from a spec: `--help` prints the usage on stdout (exit 0); a UsageError from the
 * parser or from `check` prints `tidewire <name>: <message>` and the usage on stderr (exit 2);
 * otherwise `run` gets the checked values and returns the exit code.
 */
export function defineCommand<O extends OptionsTable, R = ParsedArgs<O>>(spec: CommandSpec<O, R>): Command & { parse(args: readonly string[]): R } {
  const usage = formatUsage(spec);
  const parse = (args: readonly string[]): R => {
    const parsed = parseCommandArgs(spec, args);
    if (parsed === 'help') throw new HelpRequested();
    return spec.check ? spec.check(parsed) : (parsed as R);
  };
  return {
    name: spec.name.split(' ').at(-1)!,
    summary: spec.summary,
    usage,
    parse,
    async run(args: string[]): Promise<number> {
      const out = spec.io?.out ?? process.stdout;
      const err = spec.io?.err ?? process.stderr;
      let input: R;
      try {
        input = parse(args);
      } catch (e) {
        if (e instanceof HelpRequested) {
          out.write(`${usage}\n`);
          return 0;
        }
        if (!(e instanceof UsageError)) throw e;
        err.write(`tidewire ${spec.name}: ${e.message}\n${usage}\n`);
        return 2;
      }
      try {
        return await spec.run(input);
      } catch (e) {
        // A refused output path (§7) is the user's to fix, not a bug: its code, exit 1.
        if (!(e instanceof CliError)) throw e;
        err.write(`tidewire ${spec.name}: ${e.code}: ${e.message}\n`);
        return 1;
      }
    },
  };
}

/** Thrown by a defined command's `parse` for `--help` (its `run` prints the usage). */
export class HelpRequested extends Error {
  constructor() {
    super('--help');
  }
}

export interface GroupSpec {
  /** The words after `tidewire` (`replay`), or '' for `tidewire` itself. */
  name: string;
  summary: string;
  commands: readonly Command[];
  io?: CommandIo;
  /** Lines after the command list. */
  footer?: string;
}

/**
 * A command that dispatches to subcommands (`tidewire replay <command>`, and `tidewire` itself):
 * its usage lists them; no command is a usage error (exit 2), `--help`/`help` prints the list
 * (exit 0), an unknown one is `tidewire <name>: unknown command 'x'` then the list (exit 2).
 */
export function defineGroup(spec: GroupSpec): Command {
  const full = spec.name ? `tidewire ${spec.name}` : 'tidewire';
  const width = Math.max(10, ...spec.commands.map((c) => c.name.length)) + 1;
  const usage = [
    `usage: ${full} <command> [options]`,
    '',
    'commands:',
    ...spec.commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    `Run \`${full} <command> --help\` for its options.`,
    ...(spec.footer ? ['', spec.footer] : []),
  ].join('\n');
  return {
    name: spec.name.split(' ').at(-1) ?? '',
    summary: spec.summary,
    usage,
    subcommands: true,
    async run(args: string[]): Promise<number> {
      const out = spec.io?.out ?? process.stdout;
      const err = spec.io?.err ?? process.stderr;
      const [name, ...rest] = args;
      if (name === undefined) {
        err.write(`${usage}\n`);
        return 2;
      }
      if (name === '--help' || name === '-h' || name === 'help') {
        out.write(`${usage}\n`);
        return 0;
      }
      const sub = spec.commands.find((c) => c.name === name);
      if (!sub) {
        err.write(`${full}: unknown command '${name}'\n${usage}\n`);
        return 2;
      }
      return sub.run(rest);
    },
  };
}
