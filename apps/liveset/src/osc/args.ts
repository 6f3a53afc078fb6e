// Reading typed values out of untrusted OSC arguments. Each reader returns undefined when the
// argument has a type that cannot mean what the handler needs; handlers count that as bad_args.
// Senders differ: python-osc (AbletonOSC) sends booleans as T/F, TouchOSC sends every number
// as a float, liblo can send doubles and 64-bit ints, so numbers are accepted in any numeric
// type and indices as any integral number.
import { cleanText, MAX_TEXT_LENGTH } from '../als/values.ts';
import type { OscArg } from './codec.ts';

function numeric(a: OscArg | undefined): number | undefined {
  if (a === undefined) return undefined;
  switch (a.type) {
    case 'i':
    case 'f':
    case 'd':
      return typeof a.value === 'number' && Number.isFinite(a.value) ? a.value : undefined;
    case 'h': {
      // osc.js decodes int64 as a `long` object.
      const v = a.value as { toNumber?: () => number } | undefined;
      const n = typeof v?.toNumber === 'function' ? v.toNumber() : undefined;
      return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
    }
    default:
      return undefined;
  }
}

/** A finite number. */
export function numberArg(a: OscArg | undefined): number | undefined {
  return numeric(a);
}

/** An integral number (an index, a color). */
export function intArg(a: OscArg | undefined): number | undefined {
  const n = numeric(a);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** T/F, or a number (non-zero is true). */
export function boolArg(a: OscArg | undefined): boolean | undefined {
  if (a === undefined) return undefined;
  if (a.type === 'T') return true;
  if (a.type === 'F') return false;
  const n = numeric(a);
  return n === undefined ? undefined : n !== 0;
}

/** A string, cleaned like names from a file (controls stripped, length capped). */
export function textArg(a: OscArg | undefined, max = MAX_TEXT_LENGTH): string | undefined {
  if (a === undefined || (a.type !== 's' && a.type !== 'S') || typeof a.value !== 'string') return undefined;
  return cleanText(a.value, max);
}

/** OSC nil (python-osc's None: an empty clip slot in a bulk reply). */
export function isNil(a: OscArg | undefined): boolean {
  return a !== undefined && a.type === 'N';
}
