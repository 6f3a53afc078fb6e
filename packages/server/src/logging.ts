// Structured logging for a Tidewire server (docs/server.md §Logging): one pino logger per server
// (Fastify's own logger, so request logs and ours are one stream), JSON lines by default or a
// short human line on a terminal, and one way to report an internal error — logged once, at
// `error`, with its code and context, and counted in tidewire_internal_errors_total{code,component}.
// An internal error is the server's or an application's bug (a route that threw, an events
// handler that threw, a recording that failed); a client's mistake (a 4xx, a protocol error) is
// not one: it is logged at `debug` with its code and counted elsewhere (tidewire_protocol_errors_total).
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { ServerError } from './errors.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerLogOptions {
  /** Lowest level written; default $TIDEWIRE_LOG_LEVEL, else `silent` under TIDEWIRE_TEST=1, else `info`. */
  level?: LogLevel;
  /** `json` (default): one JSON object per line. `pretty`: one short human line (for a terminal). */
  format?: 'json' | 'pretty';
  /** Where lines go; default stderr. Tests pass a sink. */
  stream?: { write(line: string): unknown };
}

/** Where an internal error happened: the counter's `component` label (a closed set). */
export type ErrorComponent = 'http' | 'ws' | 'events' | 'upgrade' | 'timeline' | 'snapshot' | 'process' | 'app';

/** The code of an error without a well-formed code of its own. */
export const INTERNAL_ERROR_CODE = 'TW_INTERNAL_ERROR';
/** Distinct `code` label values kept before further codes are counted as INTERNAL_ERROR_CODE. */
const MAX_CODES = 64;
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** The level from the environment: TIDEWIRE_LOG_LEVEL, else `silent` in tests (TIDEWIRE_TEST=1), else `info`. */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): LogLevel {
  const v = env.TIDEWIRE_LOG_LEVEL;
  if (v !== undefined && v !== '') {
    if (!isLogLevel(v)) throw new ServerError('TW_SERVER_BAD_OPTION', `TIDEWIRE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${v}'`);
    return v;
  }
  return env.TIDEWIRE_TEST === '1' ? 'silent' : 'info';
}

/** The server's logger: `false` is silent (nothing is formatted), otherwise per ServerLogOptions. */
export function createLogger(options: false | ServerLogOptions): Logger {
  if (options === false) return pino({ level: 'silent' });
  const level = options.level ?? logLevelFromEnv();
  if (!isLogLevel(level)) throw new ServerError('TW_SERVER_BAD_OPTION', `log level must be one of ${LOG_LEVELS.join(', ')}, got '${String(level)}'`);
  const out = options.stream ?? process.stderr;
  const destination: DestinationStream = options.format === 'pretty' ? prettyStream(out) : { write: (line: string) => void out.write(line) };
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** An error's own code when it has a well-formed one (`TW_…`, `STUDIO_…`, `ENOENT`), else TW_INTERNAL_ERROR. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CODE.test(code) ? code : INTERNAL_ERROR_CODE;
}

/** The counter and the once-only rule behind every internal error report. */
export class InternalErrors {
  private readonly counter: Counter<'code' | 'component'>;
  /** Errors already reported (one that travels on, say from a handler to a route, is logged once). */
  private readonly seen = new WeakSet<object>();
  private readonly codes = new Set<string>();

  constructor(
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.counter = new Counter({
      name: 'tidewire_internal_errors_total',
      help: 'Internal errors (server or application bugs: routes that failed with 5xx, handlers that threw, failed background work), by code and component',
      labelNames: ['code', 'component'],
      registers: [registry],
    });
  }

  /** The label an error counts under: its own code (errorCode), while fewer than MAX_CODES are in use. */
  private labelOf(err: unknown): string {
    const code = errorCode(err);
    if (!this.codes.has(code)) {
      if (this.codes.size >= MAX_CODES) return INTERNAL_ERROR_CODE;
      this.codes.add(code);
    }
    return code;
  }

  /** Logs `err` once at `error` with its code, component and context, and counts it. */
  report(component: ErrorComponent, err: unknown, context: Record<string, unknown>, msg: string): void {
    if (typeof err === 'object' && err !== null) {
      if (this.seen.has(err)) return;
      this.seen.add(err);
    }
    const code = this.labelOf(err);
    this.counter.inc({ code, component });
    this.log.error({ code, component, ...context, err }, msg);
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIPPED = new Set(['level', 'time', 'msg', 'err', 'pid', 'hostname']);

/** One JSON record as a short human line: `12:00:01 ERROR msg  key=value …`, then the stack. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 19) : '';
  const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
  const fields = Object.entries(rec)
    .filter(([k, v]) => !SKIPPED.has(k) && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? `"${escapeControls(v.replace(/["\\]/g, '\\$&'))}"` : escapeControls(String(v))}`);
  const err = rec.err as { stack?: unknown; message?: unknown } | undefined;
  const stack = typeof err?.stack === 'string' ? `\n    ${err.stack.split('\n').slice(0, 8).map(escapeControls).join('\n    ')}` : '';
  const msg = escapeControls(String(rec.msg ?? ''));
  return `${time} ${level.padEnd(5)} ${msg}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}

/** Messages and fields may carry what a client sent: no control character reaches the terminal. */
function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex -- reason: matching control characters is the point
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function prettyStream(out: { write(line: string): unknown }): DestinationStream {
  // pino writes one whole record per write() call.
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      out.write(prettyLine(String(chunk).trimEnd()));
      done();
    },
  });
}
