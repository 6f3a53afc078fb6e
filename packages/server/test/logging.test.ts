// docs/server.md §6 Logging: internal errors (an events handler or a route that throws) are logged
// once at `error` with their code and context and counted in tidewire_internal_errors_total;
// what a client does wrong (a bad frame, a 4xx) is logged at `debug` only. Real server, real
// sockets, the log captured from the server's own pino logger.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent, FrameType } from '@tidewire/protocol';
import type { TidewireServer } from '../src/index.ts';
import { logLevelFromEnv, prettyLine } from '../src/logging.ts';
import { PlaybackScheduler } from '../src/playback-scheduler.ts';
import type { Scheduled } from '../src/playback-scheduler.ts';
import { ManualClock } from './timeline-helpers.ts';
import { client, startServer, waitFor } from './helpers.ts';

interface LogRecord {
  level: number;
  msg: string;
  code?: string;
  component?: string;
  err?: { message: string; stack: string };
  [field: string]: unknown;
}

const ERROR = 50;
const DEBUG = 20;

/** A server whose log lines land in `records`, at `level`. */
async function loggedServer(t: TestContext, setup: (s: TidewireServer) => void, level: 'debug' | 'info' = 'debug') {
  const records: LogRecord[] = [];
  const stream = { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) };
  const server = await startServer(t, { logger: { level, stream } }, setup);
  return { server, records, errors: () => records.filter((r) => r.level >= ERROR) };
}

async function internalErrorsMetric(server: TidewireServer): Promise<string[]> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('tidewire_internal_errors_total{'));
}

test('§6 an events handler that throws: one error line with its code, channel, key, connection and client, and the counter +1', async (t) => {
  let ctl!: { id: number };
  let plain!: { id: number };
  const { server, records, errors } = await loggedServer(t, (s) => {
    ctl = s.events('control', {
      onMessage: () => {
        throw Object.assign(new Error('app bug'), { code: 'APP_BROKEN' });
      },
    });
    plain = s.events('plain', {
      onMessage: () => {
        throw new Error('no code');
      },
    });
  });
  const c = await client(t, server);
  c.subscribe('control');
  await c.next((f) => f.type === FrameType.SUBSCRIBED);
  c.send(encodeEvent(ctl.id, 'play', true));
  await waitFor(() => errors().length === 1, 'the error line');
  const [line] = errors();
  assert.equal(line!.level, ERROR);
  assert.equal(line!.code, 'APP_BROKEN');
  assert.equal(line!.component, 'events');
  assert.equal(line!.channel, 'control');
  assert.equal(line!.key, 'play');
  assert.equal(typeof line!.connection, 'number');
  assert.equal(line!.client, 'test');
  assert.equal(line!.err!.message, 'app bug');
  assert.deepEqual(await internalErrorsMetric(server), ['tidewire_internal_errors_total{code="APP_BROKEN",component="events"} 1']);

  // An error without a code of its own counts as TW_INTERNAL_ERROR.
  c.subscribe('plain');
  await c.until(() => c.frames.filter((f) => f.type === FrameType.SUBSCRIBED).length === 2);
  c.send(encodeEvent(plain.id, 'k', 1));
  await waitFor(() => errors().length === 2, 'the second error line');
  assert.equal(errors()[1]!.code, 'TW_INTERNAL_ERROR');
  assert.deepEqual((await internalErrorsMetric(server)).sort(), [
    'tidewire_internal_errors_total{code="APP_BROKEN",component="events"} 1',
    'tidewire_internal_errors_total{code="TW_INTERNAL_ERROR",component="events"} 1',
  ]);
  assert.equal(records.filter((r) => r.msg === 'events handler threw').length, 2, 'each logged once');
});

test('§6 a bad client frame is logged at debug with its code, never at error, and is no internal error', async (t) => {
  const { server, records, errors } = await loggedServer(t, (s) => void s.events('control'));
  const c = await client(t, server);
  c.send('a text frame');
  await c.until(() => c.errors().length === 1);
  await waitFor(() => records.some((r) => r.code === 'TW_TEXT_FRAME'), 'the debug line');
  const line = records.find((r) => r.code === 'TW_TEXT_FRAME')!;
  assert.equal(line.level, DEBUG);
  assert.equal(typeof line.connection, 'number');
  assert.deepEqual(errors(), []);
  assert.deepEqual(await internalErrorsMetric(server), []);
});

test('§6 a route that throws: a 5xx is logged once at error with method, route and status, and counted; a 4xx only at debug', async (t) => {
  const { server, records, errors } = await loggedServer(t, (s) => {
    s.fastify.get('/boom/:id', async () => {
      throw new Error('kaput');
    });
    s.fastify.get('/refused', async () => {
      throw Object.assign(new Error('you asked wrong'), { statusCode: 400, code: 'APP_BAD_ASK' });
    });
  });
  assert.equal((await fetch(`${server.url}/boom/7?x=1`)).status, 500);
  assert.equal((await fetch(`${server.url}/refused`)).status, 400);
  await waitFor(() => errors().length === 1 && records.some((r) => r.code === 'APP_BAD_ASK'), 'both lines');
  const [line] = errors();
  assert.equal(line!.code, 'TW_INTERNAL_ERROR');
  assert.equal(line!.component, 'http');
  assert.equal(line!.method, 'GET');
  assert.equal(line!.route, '/boom/:id');
  assert.equal(line!.url, '/boom/7');
  assert.equal(line!.status, 500);
  assert.equal(line!.err!.message, 'kaput');
  const client4xx = records.find((r) => r.code === 'APP_BAD_ASK')!;
  assert.equal(client4xx.level, DEBUG);
  assert.equal(client4xx.status, 400);
  assert.deepEqual(await internalErrorsMetric(server), ['tidewire_internal_errors_total{code="TW_INTERNAL_ERROR",component="http"} 1']);
});

test('§6 at level info a request that succeeded writes nothing; server.reportError counts an app’s failure as component app', async (t) => {
  const { server, records, errors } = await loggedServer(t, () => {}, 'info');
  const before = records.length;
  assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
  assert.equal(records.length, before);
  server.reportError(Object.assign(new Error('watcher died'), { code: 'APP_WATCH' }), { app: 'liveset', file: 'a.als' }, 'watching failed');
  assert.equal(errors().length, 1);
  assert.equal(errors()[0]!.app, 'liveset');
  assert.deepEqual(await internalErrorsMetric(server), ['tidewire_internal_errors_total{code="APP_WATCH",component="app"} 1']);
});

test('§6 the level: TIDEWIRE_LOG_LEVEL, else silent under TIDEWIRE_TEST=1, else info; a bad value is TW_SERVER_BAD_OPTION', () => {
  assert.equal(logLevelFromEnv({}), 'info');
  assert.equal(logLevelFromEnv({ TIDEWIRE_TEST: '1' }), 'silent');
  assert.equal(logLevelFromEnv({ TIDEWIRE_TEST: '1', TIDEWIRE_LOG_LEVEL: 'debug' }), 'debug');
  assert.throws(() => logLevelFromEnv({ TIDEWIRE_LOG_LEVEL: 'loud' }), { code: 'TW_SERVER_BAD_OPTION' });
});

test('§6 the terminal format: one short line with the fields, the stack indented, control characters escaped', () => {
  const json = JSON.stringify({
    level: 50,
    time: '2026-01-02T03:04:05.678Z',
    msg: 'events handler threw',
    code: 'APP_BROKEN',
    channel: 'control',
    client: 'evil\u001b[2Jclient name',
    err: { message: 'x', stack: 'Error: x\n    at here' },
  });
  assert.equal(
    prettyLine(json),
    '03:04:05 ERROR events handler threw  code=APP_BROKEN channel=control client="evil\\x1b[2Jclient name"\n    Error: x\n        at here\n',
  );
});

test('§6 a playback session whose wake throws goes to the error hook; the other sessions keep being served', () => {
  const clock = new ManualClock();
  const failures: [unknown, Scheduled][] = [];
  const sched = new PlaybackScheduler(clock, (err, entry) => failures.push([err, entry]));
  const woke: string[] = [];
  const make = (name: string, fail: boolean): Scheduled => ({
    due: Infinity,
    heapIndex: -1,
    wake() {
      woke.push(name);
      if (fail) throw new Error(`${name} broke`);
    },
  });
  const bad = make('bad', true);
  const good = make('good', false);
  sched.at(bad, clock.now() + 10);
  sched.at(good, clock.now() + 20);
  clock.advance(30);
  assert.deepEqual(woke, ['bad', 'good']);
  assert.equal(failures.length, 1);
  assert.equal((failures[0]![0] as Error).message, 'bad broke');
  assert.equal(failures[0]![1], bad);
  sched.close();
});
