// What the `tidewire replay` subcommands share: how they print an error that carries a code
// (their options go through @tidewire/cli).
import type { Output } from './cli.ts';

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
