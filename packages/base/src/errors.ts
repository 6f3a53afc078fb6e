// One way to make coded errors, in the spirit of fastify's lib/errors.js `createError`: each
// package keeps its own registry of stable codes (code → what it means, plus any fields the
// package attaches, such as an HTTP status or a WebSocket close code) and gets its error class
// from `defineErrors`, instead of copying an Error subclass per package. Codes are stable API:
// callers and tests compare `err.code`, never the message.

/** What a registry says about one code. `description` is the sentence the docs carry. */
export interface ErrorInfo {
  readonly description: string;
}

export interface CodedErrorOptions {
  readonly cause?: unknown;
}

/** The shape every coded error has, whatever package made it. */
export interface CodedError<Code extends string = string> extends Error {
  readonly code: Code;
}

/** True for any error made by a `defineErrors` class (or anything with a string `code`). */
export function isCodedError(value: unknown): value is CodedError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'string';
}

export interface ErrorRegistry<Codes extends Readonly<Record<string, ErrorInfo>>> {
  /** The registry itself: code → info. */
  readonly codes: Codes;
  /** True when `value` is one of this registry's codes. */
  isCode(value: unknown): value is keyof Codes & string;
  /** The info of a code (for fields such as an HTTP status). */
  info<C extends keyof Codes & string>(code: C): Codes[C];
}

/**
 * Builds a package's error class and registry helpers from one table.
 *
 *     export const TreeErrorCodes = { TREE_BAD_OP: { description: '…' }, … } as const;
 *     export class TreeError extends defineErrors('TreeError', TreeErrorCodes).Error {}
 *
 * The returned `Error` class takes `(code, message, options)`; subclasses may add context fields
 * (an offset, a channel) in their own constructor.
 */
export function defineErrors<const Codes extends Readonly<Record<string, ErrorInfo>>>(name: string, codes: Codes) {
  type Code = keyof Codes & string;
  const own = (value: unknown): value is Code => typeof value === 'string' && Object.prototype.hasOwnProperty.call(codes, value);

  class RegistryError extends Error implements CodedError<Code> {
    readonly code: Code;

    constructor(code: Code, message: string, options?: CodedErrorOptions) {
      super(message, options?.cause === undefined ? undefined : { cause: options.cause });
      // reason: a subclass keeps its own name (new.target), the registry's name otherwise.
      this.name = new.target === RegistryError ? name : new.target.name;
      this.code = code;
    }

    /** True when `value` is an error of this class (the registry's, or the subclass it is called
     *  on: `TimelineError.is(e)` narrows to TimelineError), and of `code` when one is given. */
    static is<T extends RegistryError>(this: abstract new (...args: never[]) => T, value: unknown, code?: Code): value is T {
      return value instanceof this && (code === undefined || value.code === code);
    }
  }
  Object.defineProperty(RegistryError, 'name', { value: name });

  const registry: ErrorRegistry<Codes> = {
    codes,
    isCode: own,
    info: (code) => codes[code],
  };
  return { Error: RegistryError, ...registry };
}
