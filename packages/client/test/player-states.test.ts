// docs/client.md §5.5: the player's phases (src/player/phase.ts): the full (phase, event) table through the
// transition function, written out here by hand rather than read from the table under test;
// then rows driven through a real Player — by a scripted engine (manual clock) and against the
// real @tidewire/server — to show the Player takes the moves the table names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createPlayer, ManualTimers, manualScheduler, Player } from '@tidewire/client';
import type { ClientError, PlayerOptions, TransferPort } from '@tidewire/client';
import { enterPhase, nextPhase, PHASE_EVENTS, PHASE_NAMES } from '../src/player/phase.ts';
import type { PhaseEvent, PhaseName, PlayerPhase } from '../src/player/phase.ts';
import type { FromEngine, ToEngine } from '../src/player/messages.ts';
import { buildTimeline, startTimelineServer, SEG, SEGMENTS, unitBlock, unitMeta } from './player-fixtures.ts';

const X = 'refused';
type Row = Record<PhaseEvent, PhaseName | typeof X>;

/** Every phase × every event: where it goes, or refused (TW_PLAYER_STATE). */
const EXPECTED: Record<PhaseName, Row> = {
  //          meta        hold       seek        ask         answer     drop       shown       close
  loading: { meta: 'showing', hold: 'loading', seek: X, ask: X, answer: X, drop: X, shown: X, close: 'closed' },
  showing: { meta: 'showing', hold: X, seek: 'seeking', ask: 'awaiting', answer: X, drop: X, shown: 'showing', close: 'closed' },
  seeking: { meta: 'seeking', hold: X, seek: 'seeking', ask: 'awaiting', answer: X, drop: X, shown: 'showing', close: 'closed' },
  awaiting: { meta: 'awaiting', hold: X, seek: 'awaiting', ask: 'awaiting', answer: 'seeking', drop: 'seeking', shown: 'awaiting', close: 'closed' },
  closed: { meta: X, hold: X, seek: X, ask: X, answer: X, drop: X, shown: X, close: 'closed' },
};

test('§5.5 phase table: every (phase, event) goes where the table says or is refused with TW_PLAYER_STATE', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...PHASE_NAMES].sort(), 'the hand table covers every phase');
  for (const from of PHASE_NAMES) {
    for (const event of PHASE_EVENTS) {
      const want = EXPECTED[from][event];
      if (want === X) {
        assert.throws(
          () => nextPhase(from, event),
          (err: ClientError) => err.code === 'TW_PLAYER_STATE',
          `${from} + ${event} is refused`,
        );
      } else {
        assert.equal(nextPhase(from, event), want, `${from} + ${event}`);
      }
    }
  }
});

test('§5.5 phase data: a move keeps the seek it carries unless told otherwise; awaiting needs a seq', () => {
  const seeking: PlayerPhase = { name: 'seeking', since: 100, frame: 7 };
  assert.deepEqual(enterPhase(seeking, 'ask', { seq: 3 }), { name: 'awaiting', seq: 3, since: 100, frame: 7 }, 'asking the server keeps the seek being timed');
  const awaiting: PlayerPhase = { name: 'awaiting', seq: 3, since: 100, frame: undefined };
  assert.deepEqual(
    enterPhase(awaiting, 'seek', { since: 200, frame: 9 }),
    { name: 'awaiting', seq: 3, since: 200, frame: 9 },
    'a local seek keeps the outstanding seq',
  );
  assert.deepEqual(enterPhase(awaiting, 'answer', { frame: 12 }), { name: 'seeking', since: 100, frame: 12 }, 'the answer names the frame that ends the seek');
  assert.deepEqual(enterPhase(awaiting, 'drop'), { name: 'seeking', since: 100, frame: undefined });
  assert.deepEqual(enterPhase({ name: 'loading', held: undefined }, 'hold', { held: { frame: 4 } }), { name: 'loading', held: { frame: 4 } });
  assert.deepEqual(enterPhase({ name: 'loading', held: { frame: 4 } }, 'meta'), { name: 'showing' });
  assert.throws(
    () => enterPhase({ name: 'showing' }, 'ask'),
    (err: ClientError) => err.code === 'TW_PLAYER_STATE',
    'awaiting without a seq',
  );
});

// ---- a real Player, scripted engine ------------------------------------------------------

const meta = unitMeta;
const block = unitBlock;

function scripted(options: Partial<PlayerOptions> = {}) {
  const timers = new ManualTimers();
  const sent: ToEngine[] = [];
  const port: TransferPort = { onmessage: null, postMessage: (m) => sent.push(m as ToEngine) };
  const player = new Player(port, { timeline: 'race', schedule: manualScheduler, timers, playoutDelayMs: 0, ...options }, { httpUrl: 'http://x' });
  const deliver = (msg: FromEngine) => port.onmessage!({ data: msg });
  const lastSeq = () => [...sent].reverse().find((m): m is Extract<ToEngine, { t: 'control' }> => m.t === 'control')!.control.seq;
  return {
    player,
    timers,
    deliver,
    lastSeq,
    segment: (n: number) => deliver({ t: 'segment', index: n, bytes: 1000, decodeMs: 0, ...block(n * SEG, SEG) }),
    stream: (epoch: number, first: number, count: number) => deliver({ t: 'stream', epoch, bytes: count * 10, decodeMs: 0, ...block(first, count) }),
    state: (epoch: number, frame: number, ack?: number) =>
      deliver({
        t: 'state',
        state: { epoch, playing: false, speed: 1, frame, frameCount: SEG * SEGMENTS, live: false, ...(ack !== undefined ? { ack } : {}) },
      }),
  };
}

test('§5.5 Player, client-paced: loading + hold → loading, + meta → seeking (the held seek), + shown → showing; seek within the buffer → showing at once', () => {
  const h = scripted();
  assert.equal(h.player.phase, 'loading');
  h.player.seek({ frame: 120 });
  assert.equal(h.player.phase, 'loading', 'a seek before metadata is held');
  h.deliver({ t: 'meta', meta: meta() });
  assert.equal(h.player.phase, 'seeking', 'the held seek runs once there is a timebase');
  assert.equal(h.player.state.get().seeking, true);
  h.segment(2);
  assert.equal(h.player.phase, 'showing');
  assert.equal(h.player.state.get().frame, 120);
  h.player.seek({ frame: 130 });
  assert.equal(h.player.phase, 'showing', 'buffered target: seeking → showing inside seek()');
  h.player.seek({ frame: 400 });
  assert.equal(h.player.phase, 'seeking', 'target not buffered: stays seeking');
  h.segment(8);
  assert.equal(h.player.phase, 'showing');
});

test('§5.5 Player, server-paced: seek → awaiting; stale and early frames stay off screen; answer → seeking; the target frame → showing; drop → seeking', () => {
  const h = scripted({ mode: 'server' });
  h.deliver({ t: 'meta', meta: meta() });
  h.deliver({ t: 'subscribed', first: true });
  h.state(1, 0);
  h.stream(1, 0, 1);
  assert.equal(h.player.phase, 'showing');
  h.player.seek({ frame: 300 });
  assert.equal(h.player.phase, 'awaiting');
  const seq = h.lastSeq();
  h.stream(1, 1, 5);
  assert.equal(h.player.state.get().frame, 0, 'frames streamed while awaiting are not shown');
  h.state(1, 5, seq - 1);
  assert.equal(h.player.phase, 'awaiting', 'an answer to an older control does not end the wait');
  h.state(2, 300, seq);
  assert.equal(h.player.phase, 'seeking');
  h.stream(2, 300, 1);
  assert.equal(h.player.phase, 'showing');
  assert.equal(h.player.state.get().frame, 300);
  h.player.seek({ frame: 10 });
  assert.equal(h.player.phase, 'awaiting');
  h.deliver({ t: 'unsubscribed' });
  assert.equal(h.player.phase, 'seeking', 'the session ended: the seek still waits to show');
  assert.equal(h.player.state.get().seeking, true);
});

test('§5.5 Player: close from any phase → closed; controls on a closed player are no-ops; close twice is one promise', async () => {
  const cases: [PhaseName, (h: ReturnType<typeof scripted>) => void][] = [
    ['loading', () => {}],
    [
      'showing',
      (h) => {
        h.deliver({ t: 'meta', meta: meta() });
      },
    ],
    [
      'seeking',
      (h) => {
        h.deliver({ t: 'meta', meta: meta() });
        h.player.seek({ frame: 400 });
      },
    ],
    [
      'awaiting',
      (h) => {
        h.deliver({ t: 'meta', meta: meta() });
        h.deliver({ t: 'subscribed', first: true });
        h.player.seek({ frame: 400 });
      },
    ],
  ];
  for (const [from, reach] of cases) {
    const h = scripted({ mode: from === 'awaiting' ? 'server' : 'client' });
    reach(h);
    assert.equal(h.player.phase, from);
    const done = h.player.close();
    assert.equal(h.player.phase, 'closed');
    assert.equal(h.player.close(), done, `${from}: close twice returns the same promise`);
    h.player.play();
    h.player.seek({ frame: 1 });
    h.player.setSpeed(2);
    assert.equal(h.player.goLive(), false);
    h.deliver({ t: 'meta', meta: meta() });
    assert.equal(h.player.phase, 'closed', `${from}: nothing reopens a closed player`);
    assert.equal(h.player.state.get().status, 'closed');
    h.deliver({ t: 'closed' });
    await done;
  }
});

test('§5.5 Player: a server session before metadata is a move the table refuses (TW_PLAYER_STATE)', () => {
  // The engine subscribes only after the first metadata answer; a restate that must ask the
  // server while loading means the two have gone out of step.
  const h = scripted({ mode: 'server' });
  assert.throws(
    () => h.deliver({ t: 'subscribed', first: false }),
    (err: ClientError) => err.code === 'TW_PLAYER_STATE',
  );
});

test('§5.5 Player against the real server (server-paced): loading → showing → awaiting/seeking → showing → closed', async (t) => {
  const file = await buildTimeline(300);
  const { url } = await startTimelineServer(t, file);
  const player = createPlayer({ url, timeline: 'race', mode: 'server', WebSocket, worker: false });
  t.after(() => player.close());
  // Read through a function: assert.equal narrows a getter's type for the lines after it.
  const phase = (): PhaseName => player.phase;
  assert.equal(phase(), 'loading');
  await player.ready({ timeoutMs: 10_000 });
  await player.waitFor(() => phase() === 'showing', { timeoutMs: 10_000 });
  player.seek({ frame: 200 });
  assert.ok(phase() === 'awaiting' || phase() === 'seeking', `after a seek: ${phase()}`);
  await player.waitFor((s) => s.frame === 200 && !s.seeking, { timeoutMs: 10_000 });
  assert.equal(phase(), 'showing');
  await player.close();
  assert.equal(phase(), 'closed');
});
