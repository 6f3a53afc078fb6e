// What a fuzz target is (docs/fuzzing.md §2): one decoder of outside bytes, the seed inputs made
// from the repo's real fixtures, a structure-aware generator, and the errors the decoder documents.
import type * as fc from 'fast-check';

export interface FuzzTarget {
  /** The name on the command line and the corpus folder (fuzz/corpus/<name>/). */
  readonly name: string;
  /** One line: which decoder, fed what. */
  readonly what: string;
  /** Real inputs, built from fixtures and testing helpers; the mutator starts from these. Runs before generate(). */
  seeds(): Uint8Array[] | Promise<Uint8Array[]>;
  /** Valid-looking inputs with hostile values (huge lengths, NaN, deep nesting, long strings). */
  generate(): fc.Arbitrary<Uint8Array>;
  /**
   * Decodes one input; where an encoder exists, also re-encodes what decoded and checks that it
   * decodes to the same value (a mismatch throws RoundTripMismatch). Sync or async.
   */
  decode(input: Uint8Array): unknown;
  /** The decoder returns promises (fast-check then uses its async runner). */
  readonly async?: boolean;
  /** True for the coded errors the decoder documents; any other throw is a finding. */
  documented(err: unknown): boolean;
}

/** Thrown by a target when a value that decoded does not survive re-encode → decode. */
export class RoundTripMismatch extends Error {
  override readonly name = 'RoundTripMismatch';
}

/** Thrown by a target when a decoder breaks its documented contract other than by throwing
 *  (a result outside its declared shape, a reader whose counts disagree with what it reads). */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}
