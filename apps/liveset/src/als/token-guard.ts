// Caps how much of one XML token saxes may hold (docs/als.md §6, issue 12).
//
// saxes accumulates a token's characters in a string until the event that ends it: an
// attribute value until its closing quote, a whole tag's attributes until `>`, a comment
// until `-->`, CDATA until `]]>`, a processing instruction until `?>`, a doctype, a name or
// an entity reference until its end. The 1,024-character name cap (§4) runs only after
// that, so a gzip bomb inflating to one 510 MiB attribute peaked at 1.2 GB RSS. Text
// content is not held (the reader registers no text handler), so it is not capped here:
// Michelle holds a legitimate 9 MB plug-in buffer as text.
//
// The guard is checked after each inflated chunk (64 KiB) is written, so saxes never holds
// more than maxTokenChars plus one chunk of a token. It reads saxes 6's private buffers
// rather than rescanning every byte itself, which keeps the hot path free: the cost is one
// `opentagstart` call per element and a few length reads per chunk.
import type { SaxesParser } from 'saxes';

/** The saxes 6 fields that accumulate a token (saxes.d.ts declares them private). */
interface SaxesBuffers {
  text: string; // attribute values, comments, CDATA, PIs, doctype (text content only with a text handler)
  name: string; // element and attribute names, the XML declaration
  entity: string; // the name of an entity reference being read (`&…;`)
  piTarget: string; // a processing instruction's target
}

const BUFFER_FIELDS = ['text', 'name', 'entity', 'piTarget'] as const;

export class TokenGuard {
  readonly #sax: SaxesParser;
  readonly #buffers: SaxesBuffers;
  readonly #maxChars: number;
  /** Stream position (characters) of the `<` of the tag being read, or -1 between tags. */
  #tagStart = -1;

  constructor(sax: SaxesParser, maxChars: number) {
    this.#sax = sax;
    this.#maxChars = maxChars;
    const buffers = sax as unknown as Record<string, unknown>;
    for (const field of BUFFER_FIELDS) {
      // A saxes upgrade that renames these must fail loudly, not leave the cap silently off.
      if (typeof buffers[field] !== 'string') throw new Error(`saxes internals changed: no string field '${field}' (the token guard needs it)`);
    }
    this.#buffers = sax as unknown as SaxesBuffers;
  }

  /** Call from saxes's `opentagstart`: the tag's attributes are held until `opentag`. */
  tagStarted(): void {
    // The name (and its `<`) were already read; the span from here covers the attributes.
    this.#tagStart = this.#sax.position;
  }

  /** Call from saxes's `opentag`. */
  tagEnded(): void {
    this.#tagStart = -1;
  }

  /**
   * The longest token saxes holds now, in UTF-16 code units, and what it is; undefined when
   * every one is within the cap.
   */
  overLimit(): { held: number; what: string } | undefined {
    const b = this.#buffers;
    const tag = this.#tagStart < 0 ? 0 : this.#sax.position - this.#tagStart;
    const held = Math.max(tag, b.text.length, b.name.length, b.entity.length, b.piTarget.length);
    if (held <= this.#maxChars) return undefined;
    const what =
      tag === held
        ? 'a tag (its attributes)'
        : b.name.length === held
          ? 'a name'
          : b.entity.length === held
            ? 'an entity reference'
            : b.piTarget.length === held
              ? 'a processing instruction target'
              : 'a comment, CDATA section, processing instruction or doctype';
    return { held, what };
  }
}
