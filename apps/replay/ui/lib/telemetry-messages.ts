// Messages between the telemetry chart and its worker.
import type { TimelineSchema } from '@tidewire/timeline';

export interface TelemetryRequest {
  id: number;
  /** http(s) origin of the server. */
  base: string;
  timeline: string;
  token?: string;
  /** The timeline's schema without `static` (the decoder needs fields and entities only). */
  schema: Pick<TimelineSchema, 'name' | 'rateHz' | 'fields' | 'entities'>;
  entity: number;
  lap: number;
  /** Frame range to read (inclusive). */
  from: number;
  to: number;
  /** With a lap length, x is metres into the lap; without, seconds from `from`. */
  lapLengthM: number | null;
}

export type TelemetryReply =
  | {
      id: number;
      ok: true;
      entity: number;
      lap: number;
      x: Float64Array;
      speed: Float64Array;
      throttle: Float64Array;
      brake: Float64Array;
      xIsDistance: boolean;
    }
  | { id: number; ok: false; message: string };
