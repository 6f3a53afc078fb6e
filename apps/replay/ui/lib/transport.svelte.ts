// The transport: the client Player's state as page state (play/pause, speed, time and range,
// buffering, the live edge, the connection) and the commands that change it.
import type { Player, PlayerState } from '@tidewire/client/main';

export interface TransportHooks {
  /** Playing started or stopped (texts refresh at a different pace). */
  onPlayingChange(): void;
  /** A seek was asked for (the tower shows exact texts for the frame that lands). */
  onSeek(): void;
  /** The player is paused after this state change (a paused screen is drawn exactly). */
  onPaused(): void;
}

export class TransportState {
  readonly player: Player;
  private readonly hooks: TransportHooks;

  ready = $state(false);
  playing = $state(false);
  speed = $state(1);
  timeMs = $state(0);
  startMs = $state(0);
  endMs = $state(0);
  buffered = $state.raw<{ startMs: number; endMs: number }[]>([]);
  buffering = $state(false);
  seeking = $state(false);
  liveTimeline = $state(false);
  live = $state(false);
  connection = $state('idle');
  error = $state<string | null>(null);

  constructor(player: Player, hooks: TransportHooks) {
    this.player = player;
    this.hooks = hooks;
  }

  /** Before the player knows its range, the race's duration stands for its end. */
  defaultEnd(durationMs: number): void {
    if (this.endMs === 0) this.endMs = durationMs;
  }

  togglePlay(): void {
    if (this.player.state.get().playing) this.player.pause();
    else this.player.play();
  }

  seekMs(ms: number): void {
    this.hooks.onSeek();
    this.player.seek(Math.max(this.startMs, Math.min(this.endMs, ms)));
  }

  step(frames: number): void {
    this.player.step(frames);
  }

  setSpeed(speed: number): void {
    this.player.setSpeed(speed);
  }

  goLive(): void {
    this.player.goLive();
  }

  /** Copies one player state (the Player's subscription calls this). */
  apply(s: PlayerState): void {
    this.ready = s.status === 'ready';
    if (this.playing !== s.playing) {
      this.playing = s.playing;
      this.hooks.onPlayingChange();
    }
    this.speed = s.speed;
    this.timeMs = s.timeMs;
    if (s.frameCount > 0) {
      this.startMs = s.startMs;
      this.endMs = s.endMs;
    }
    if (this.buffered !== s.buffered) this.buffered = s.buffered;
    this.buffering = s.buffering;
    this.seeking = s.seeking;
    this.liveTimeline = s.liveTimeline;
    this.live = s.live;
    this.connection = s.connection;
    this.error = s.error ? `${s.error.code}: ${s.error.message}` : null;
    if (!s.playing) this.hooks.onPaused();
  }
}
