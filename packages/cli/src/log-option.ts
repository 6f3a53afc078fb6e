// `--log-level`, the same on every command that runs a server (docs/server.md §6): the level of
// the server's structured log, default $TIDEWIRE_LOG_LEVEL, else `silent` under the test runner
// (TIDEWIRE_TEST=1), else `info`. The levels are pino's (the server's logger).
import type { OptionSpec } from './args.ts';
import { oneOf } from './validators.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LogLevelOptionSpec extends OptionSpec<LogLevelName> {
  type: 'string';
  default: () => string;
  parse: (raw: string, flag: string) => LogLevelName;
}

/** The option table row: `logLevelOption(() => process.env)` reads the environment at parse time. */
export function logLevelOption(env: () => Record<string, string | undefined> = () => process.env): LogLevelOptionSpec {
  return {
    type: 'string',
    value: 'LEVEL',
    default: () => {
      const e = env();
      return e.TIDEWIRE_LOG_LEVEL || (e.TIDEWIRE_TEST === '1' ? 'silent' : 'info');
    },
    parse: oneOf(LOG_LEVELS),
    help: `server log level: ${LOG_LEVELS.join(', ')} (default $TIDEWIRE_LOG_LEVEL or info);\nJSON lines on stderr, one short line each on a terminal`,
  };
}
