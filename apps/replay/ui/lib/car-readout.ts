// The selected car's live numbers (the driver card and the telemetry cursor), read from one
// frame of values.

export interface CarReadout {
  speed: number;
  gear: number;
  throttle: number;
  brake: boolean;
  drs: boolean;
  lap: number;
  status: number;
  /** Metres into the current lap (NaN unknown). */
  lapDistance: number;
}

/** Field indices of the readout (-1 for a field the timeline lacks) and fields per entity. */
export interface ReadoutColumns {
  fields: number;
  speed: number;
  gear: number;
  throttle: number;
  brake: number;
  drs: number;
  lap: number;
  status: number;
  distance: number;
}

export function readoutColumnsOf(fieldIndex: (name: string) => number, fields: number): ReadoutColumns {
  const fi = fieldIndex;
  return {
    fields,
    speed: fi('speed'),
    gear: fi('gear'),
    throttle: fi('throttle'),
    brake: fi('brake'),
    drs: fi('drs'),
    lap: fi('lap'),
    status: fi('status'),
    distance: fi('distance'),
  };
}

/** Car `e`'s readout from `v`; `lapM` is the lap length (null unknown). */
export function readCar(v: Float64Array, c: ReadoutColumns, e: number, lapM: number | null): CarReadout {
  const get = (f: number) => (f >= 0 ? v[e * c.fields + f]! : Number.NaN);
  const lap = get(c.lap);
  const d = get(c.distance);
  return {
    speed: get(c.speed),
    gear: get(c.gear),
    throttle: get(c.throttle),
    brake: get(c.brake) === 1,
    drs: get(c.drs) === 1,
    lap,
    status: get(c.status),
    lapDistance: lapM && lap === lap && d === d ? d - (Math.max(1, lap) - 1) * lapM : Number.NaN,
  };
}
