// Job ids that sort by creation: `list()` answers newest first even for jobs added within the
// same millisecond, on any machine. Time (ms, base 36), a per-process counter, random bits.
import { randomBytes } from 'node:crypto';

let counter = 0;

export function newJobId(now = Date.now()): string {
  counter = (counter + 1) % 36 ** 4;
  return `${now.toString(36).padStart(9, '0')}-${counter.toString(36).padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
}

/** A job id as newJobId makes them (or a UUID): checked before it is used as a Redis key part. */
export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-z-]{8,64}$/.test(value);
}
