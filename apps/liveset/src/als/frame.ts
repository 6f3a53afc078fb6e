// Per-element state of the builder and the id helpers that read it.
import type { FileRefInfo } from './entities.ts';
import { idSegment, liveId } from './values.ts';

/** One open element on the path from the root (reused per depth: no allocation per tag). */
export class Frame {
  /** An `R` role (builder.ts); 0 is SKIP. */
  role = 0;
  name = '';
  idAttr: string | undefined = undefined;
  // A parameter's value: `Manual` (Live 9+) or the first automation event (Live 8).
  manual: string | undefined = undefined;
  first: string | undefined = undefined;
  min: string | undefined = undefined;
  max: string | undefined = undefined;
  label: string | undefined = undefined;
  // Which FileRefInfo a FILEREF_HOLDER / REF_SCAN subtree fills.
  fileRef: FileRefInfo | undefined = undefined;
  isReturn = false;

  reset(role: number, name: string, idAttr: string | undefined): void {
    this.role = role;
    this.name = name;
    this.idAttr = idAttr;
    this.manual = this.first = this.min = this.max = this.label = undefined;
    this.fileRef = undefined;
    this.isReturn = false;
  }
}

/**
 * `id` the first time, then `id~2`, `id~3`, ... (`seen` counts uses per id). Live 9 plug-in
 * parameters have neither an `Id` nor a usable `ParameterId` (-1), so hundreds can share a
 * path; counting keeps that linear. XML names cannot contain `~`, so no real path collides.
 */
export function nextUnique(seen: Map<string, number>, id: string): string {
  const n = (seen.get(id) ?? 0) + 1;
  seen.set(id, n);
  return n === 1 ? id : `${id}~${n}`;
}

// Element names repeat across thousands of parameters: encode each once.
const segmentCache = new Map<string, string>();

/** A parameter-path segment: the element name, plus `#<Id>` when the element has one. */
export function segmentOf(f: Frame): string {
  let seg = segmentCache.get(f.name);
  if (seg === undefined) {
    seg = idSegment(f.name);
    if (segmentCache.size < 4096) segmentCache.set(f.name, seg);
  }
  return f.idAttr !== undefined && liveId(f.idAttr) !== undefined ? `${seg}#${f.idAttr}` : seg;
}
