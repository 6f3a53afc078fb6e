// Validators for option values (OptionSpec.parse): each refuses with a UsageError naming the flag
// and the value, so every command words the same mistake the same way.
import { parsePort, UsageError } from './command.ts';

/** A TCP/UDP port in decimal: 0–65535, or 1–65535 with `{ allowZero: false }`. */
export function port(options: { allowZero?: boolean } = {}): (raw: string, flag: string) => number {
  return (raw, flag) => parsePort(flag, raw, options.allowZero ?? true);
}

/** A decimal integer in [min, max] (digits only: no sign, exponent or hex). */
export function integer(min: number, max: number): (raw: string, flag: string) => number {
  return (raw, flag) => {
    const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be an integer in ${min}..${max}, got '${raw}'`);
    return n;
  };
}

/** A finite decimal number in [min, max]. */
export function number(min: number, max: number, unit = 'a number'): (raw: string, flag: string) => number {
  return (raw, flag) => {
    const n = /^\d+(\.\d+)?$|^\.\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be ${unit} in ${min}..${max}, got '${raw}'`);
    return n;
  };
}

/** One of the given words. */
export function oneOf<const T extends string>(choices: readonly T[]): (raw: string, flag: string) => T {
  return (raw, flag) => {
    if (!(choices as readonly string[]).includes(raw))
      throw new UsageError(`${flag} must be ${choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(', ')}`}, got '${raw}'`);
    return raw as T;
  };
}
