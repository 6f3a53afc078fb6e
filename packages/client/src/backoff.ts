// Reconnect delays: exponential backoff with jitter, so a fleet of clients that lost the same
// server does not reconnect in lockstep.
import { invalidOption } from './errors.ts';

export interface ReconnectOptions {
  /** Delay before the first retry. */
  minDelayMs: number;
  /** Upper bound of the delay. */
  maxDelayMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** 0…1: the fraction of each delay that is randomised (0 = none, 1 = "full jitter"). */
  jitter: number;
  /**
   * A connection must stay up this long before the delay resets to minDelayMs. Resetting on
   * WELCOME alone would let a server that accepts and then fails every connection be retried
   * at minDelayMs forever.
   */
  resetAfterMs: number;
}

export const DEFAULT_RECONNECT: Readonly<ReconnectOptions> = {
  minDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.5,
  resetAfterMs: 5_000,
};

export function reconnectOptions(input: Partial<ReconnectOptions> | undefined): ReconnectOptions {
  const o = { ...DEFAULT_RECONNECT, ...input };
  const finite = (v: number) => typeof v === 'number' && Number.isFinite(v);
  if (!finite(o.minDelayMs) || o.minDelayMs < 0) throw invalidOption(`reconnect.minDelayMs must be ≥ 0, got ${o.minDelayMs}`);
  if (!finite(o.maxDelayMs) || o.maxDelayMs < o.minDelayMs) throw invalidOption(`reconnect.maxDelayMs must be ≥ minDelayMs, got ${o.maxDelayMs}`);
  if (!finite(o.factor) || o.factor < 1) throw invalidOption(`reconnect.factor must be ≥ 1, got ${o.factor}`);
  if (!finite(o.jitter) || o.jitter < 0 || o.jitter > 1) throw invalidOption(`reconnect.jitter must be within 0…1, got ${o.jitter}`);
  if (!finite(o.resetAfterMs) || o.resetAfterMs < 0) throw invalidOption(`reconnect.resetAfterMs must be ≥ 0, got ${o.resetAfterMs}`);
  return o;
}

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: ReconnectOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const { minDelayMs, maxDelayMs, factor, jitter } = this.options;
    // Cap the exponent so factor^attempt cannot overflow to Infinity after many failures.
    const base = Math.min(maxDelayMs, minDelayMs * Math.pow(factor, Math.min(this.attempt, 64)));
    this.attempt++;
    return Math.round(base * (1 - jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
