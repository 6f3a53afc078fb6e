// Turning attribute strings from an untrusted file into tree values.

/** Longest name or text kept from a file (UTF-16 code units). */
export const MAX_TEXT_LENGTH = 1024;
/** Longest node id (bytes) the wire protocol allows (docs/protocol.md §4.6). */
export const MAX_ID_BYTES = 256;

// C0 and C1 controls (XML allows tab, newline and carriage return through character
// references; none of them belongs in a track name).
// eslint-disable-next-line no-control-regex -- matching C0/C1 control characters is the point: they are stripped
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** A name from the file: controls stripped, capped without splitting a surrogate pair. */
export function cleanText(raw: string, max = MAX_TEXT_LENGTH): string {
  let s = raw.replace(CONTROL_CHARS, '');
  if (s.length > max) {
    let end = max;
    const c = s.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
    s = s.slice(0, end);
  }
  return s;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A finite number, or undefined when the text is not one. */
export function toNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.length > 64 || !NUMBER.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Live writes booleans as `true` / `false`. */
export function toBool(raw: string | undefined): boolean | undefined {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

/** A parameter value: boolean, number, or (rarely) cleaned text. */
export function toScalar(raw: string): boolean | number | string {
  const b = toBool(raw);
  if (b !== undefined) return b;
  const n = toNumber(raw);
  if (n !== undefined) return n;
  return cleanText(raw, 256);
}

/**
 * Live's time-signature enum: `v = (numerator - 1) + 99 * log2(denominator)`
 * (201 = 4/4). Returns undefined for values outside 1..99 / 1..64.
 */
export function decodeTimeSignature(v: number | boolean | string | undefined): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 99 * 7) return undefined;
  return `${(v % 99) + 1}/${1 << Math.floor(v / 99)}`;
}

/** `Presets/Audio Effects/Gated Verb.adg` -> `Gated Verb`; also handles `\` separators. */
export function fileStem(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  let base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  if (dot > 0 && base.length - dot <= 10) base = base.slice(0, dot);
  return cleanText(base);
}

/** Last path component, extension kept (sample file names). */
export function fileBase(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cleanText(path.slice(slash + 1));
}

/** An `Id` attribute we can use inside node ids: a short decimal integer. */
export function liveId(raw: string | undefined): string | undefined {
  return raw !== undefined && /^-?\d{1,15}$/.test(raw) ? raw : undefined;
}

// Element names in ids come from the file; anything beyond plain ASCII name characters
// is percent-encoded so ids stay printable and unambiguous.
export function idSegment(name: string): string {
  return /^[A-Za-z0-9_.:-]*$/.test(name) ? name : encodeURIComponent(name);
}

/**
 * Ids are derived from paths, which a pathological file can make long. Past the protocol
 * limit we keep a prefix and a hash of the whole id, so the result is still deterministic
 * (the same file position gives the same id on every save).
 */
export function capId(id: string): string {
  if (id.length <= MAX_ID_BYTES / 4 || utf8Length(id) <= MAX_ID_BYTES) return id;
  let prefix = id.slice(0, 200);
  while (utf8Length(prefix) > 200) prefix = prefix.slice(0, -1);
  return `${prefix}~h${fnv1a(id, 0x811c9dc5)}${fnv1a(id, 0x01000193)}`;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function fnv1a(s: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
