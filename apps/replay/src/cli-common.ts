// What the `tidewire replay` subcommands share: their option syntax and how they print an error
// that carries a code.
import type { Output } from './cli.ts';

export interface ParsedOptions {
  values: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

/**
 * Parses `--name value` / `--name=value` options (`valued`) and bare `--name` flags; anything
 * else not starting with `--` (and `--` itself) is positional. Returns the usage error's text
 * instead on an unknown option, a missing value or an option given twice.
 */
export function parseOptions(args: string[], valued: readonly string[], flags: readonly string[] = []): ParsedOptions | string {
  const values = new Map<string, string>();
  const set = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--') || a === '--') { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (flags.includes(name) && eq === -1) { set.add(name); continue; }
    if (!valued.includes(name)) return `unknown option '${a}'`;
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (value === undefined || value === '') return `${a} needs a value`;
    if (values.has(name)) return `--${name} given twice`;
    values.set(name, value);
  }
  return { values, flags: set, positional };
}

/**
 * Prints an error with a string code — ReplayError, ImportError, a server error (TW_SERVER_…) or
 * a system error (ENOENT, EADDRINUSE) — as `code: message` and returns exit code 1; rethrows
 * anything else (a bug, whose stack should show).
 */
export function failWithCode(err: Output, command: string, e: unknown): number {
  const coded = e as { code?: unknown; message?: unknown } | null | undefined;
  if (typeof coded?.code === 'string' && typeof coded.message === 'string') {
    err.write(`tidewire replay ${command}: ${coded.code}: ${coded.message}\n`);
    return 1;
  }
  throw e;
}
