// The player's phase: what its display is waiting for, as one named state (the way ws's
// receiver names its parser states) instead of the flags it used to be (closed, pendingSeek,
// seekStart, seekFrame, initialSeek, closedPromise). Each phase carries only the data that
// means something in it; `nextPhase` is the one table of legal moves and refuses the rest.
//
//   loading  ─meta─▶ showing ─seek─▶ seeking ─shown─▶ showing
//      │hold          │ask             │ask
//      ▼              ▼                ▼
//   loading        awaiting ─answer/drop─▶ seeking
//   (any) ─close─▶ closed
//
// Whether the display follows the live edge (server-paced in either mode) stays a separate
// fact: it is a pacing choice that holds across all of these phases, not a step in them.
import { ClientError } from '../errors.ts';
import type { Timers } from '../timers.ts';
import type { SeekTarget } from './options.ts';

export type PlayerPhase =
  /** No metadata yet: nothing to show; a seek is held until there is a timebase. */
  | { readonly name: 'loading'; readonly held: SeekTarget | undefined }
  /** Metadata in, nothing outstanding: the display follows the clock or the stream. */
  | { readonly name: 'showing' }
  /**
   * A target not on screen yet. `since` (wall ms) times a seek the caller asked for
   * (undefined after a restate or heal, which are not seeks); `frame` is the frame that ends
   * it (undefined: the first frame shown does).
   */
  | { readonly name: 'seeking'; readonly since: number | undefined; readonly frame: number | undefined }
  /**
   * A TL_CONTROL (seek, live, restate, heal) whose TL_STATE has not come: streamed frames of
   * the old epoch are stale meanwhile. `seq` is the control's; `since`/`frame` as in seeking
   * (a client-paced seek made meanwhile sets them without asking the server).
   */
  | { readonly name: 'awaiting'; readonly seq: number; readonly since: number | undefined; readonly frame: number | undefined }
  /** close() was called; `done` settles when the engine confirmed (or gave up). */
  | { readonly name: 'closed'; readonly done: Promise<void>; readonly confirm: () => void };

export type PhaseName = PlayerPhase['name'];

export type PhaseEvent =
  /** The first metadata answer (later ones refresh the timebase and move nothing). */
  | 'meta'
  /** seek() before there is metadata. */
  | 'hold'
  /** A seek the display resolves itself (client-paced, or no server session to ask). */
  | 'seek'
  /** A TL_CONTROL sent whose TL_STATE must come before streamed frames count again. */
  | 'ask'
  /** The TL_STATE answering the outstanding control. */
  | 'answer'
  /** The server session ended with a control unanswered. */
  | 'drop'
  /** The target frame is on screen. */
  | 'shown'
  | 'close';

export const PHASE_NAMES: readonly PhaseName[] = ['loading', 'showing', 'seeking', 'awaiting', 'closed'];
export const PHASE_EVENTS: readonly PhaseEvent[] = ['meta', 'hold', 'seek', 'ask', 'answer', 'drop', 'shown', 'close'];

/** Legal moves; a missing entry is a move the player must never make. */
const TRANSITIONS: Readonly<Record<PhaseName, Partial<Record<PhaseEvent, PhaseName>>>> = {
  loading: { meta: 'showing', hold: 'loading', close: 'closed' },
  showing: { meta: 'showing', seek: 'seeking', ask: 'awaiting', shown: 'showing', close: 'closed' },
  seeking: { meta: 'seeking', seek: 'seeking', ask: 'awaiting', shown: 'showing', close: 'closed' },
  // A client-paced seek made while a live request is out does not ask the server: the answer
  // still has to come before streamed frames count, so the phase stays awaiting.
  awaiting: { meta: 'awaiting', seek: 'awaiting', ask: 'awaiting', answer: 'seeking', drop: 'seeking', shown: 'awaiting', close: 'closed' },
  // close() twice returns the same promise; nothing else happens to a closed player.
  closed: { close: 'closed' },
};

/** The phase `event` leads to from `from`; throws TW_PLAYER_STATE for a move the table refuses. */
export function nextPhase(from: PhaseName, event: PhaseEvent): PhaseName {
  const to = TRANSITIONS[from][event];
  if (to === undefined) throw new ClientError('TW_PLAYER_STATE', `player cannot take '${event}' while ${from}`);
  return to;
}

/** Wall time of the seek being timed, if any. */
export function seekSince(p: PlayerPhase): number | undefined {
  return p.name === 'seeking' || p.name === 'awaiting' ? p.since : undefined;
}

/** What a move may set; what it leaves out the new phase keeps from the old one. */
export interface PhaseData {
  held?: SeekTarget;
  seq?: number;
  since?: number | undefined;
  frame?: number | undefined;
}

/** The phase after `event` (refused per the table); close() builds the closed phase itself. */
export function enterPhase(from: PlayerPhase, event: Exclude<PhaseEvent, 'close'>, data: PhaseData = {}): PlayerPhase {
  const name = nextPhase(from.name, event);
  const since = 'since' in data ? data.since : seekSince(from);
  const frame = 'frame' in data ? data.frame : from.name === 'seeking' || from.name === 'awaiting' ? from.frame : undefined;
  switch (name) {
    case 'loading':
      return { name, held: 'held' in data ? data.held : from.name === 'loading' ? from.held : undefined };
    case 'showing':
      return { name };
    case 'seeking':
      return { name, since, frame };
    case 'awaiting': {
      const seq = data.seq ?? (from.name === 'awaiting' ? from.seq : undefined);
      if (seq === undefined) throw new ClientError('TW_PLAYER_STATE', `'${event}' into awaiting needs the control's seq`);
      return { name, seq, since, frame };
    }
    case 'closed':
      throw new ClientError('TW_PLAYER_STATE', 'only close() closes the player');
  }
}

/** How long close() waits for the engine: one that died cannot confirm, so do not hang on it. */
export const CLOSE_CONFIRM_MS = 2000;

/** The closed phase: `done` settles (after running `after`) once `confirm` is called or CLOSE_CONFIRM_MS passed. */
export function closedPhase(timers: Timers, after: () => void): Extract<PlayerPhase, { name: 'closed' }> {
  let confirm = (): void => {};
  const done = new Promise<void>((resolve) => {
    const timer = timers.setTimeout(resolve, CLOSE_CONFIRM_MS);
    confirm = () => {
      timers.clearTimeout(timer);
      resolve();
    };
  }).then(after);
  return { name: 'closed', done, confirm };
}
