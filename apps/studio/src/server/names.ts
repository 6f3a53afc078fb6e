// Ids and names from requests are untrusted text (docs/studio.md §1.4). Ids become file
// names, so they are checked against one strict pattern; display names are kept as text but
// refused when they carry path separators, `..` or control characters, so nothing a form sends
// can ever name a file outside its folder or break a header.
import { randomBytes } from 'node:crypto';
import { StudioError } from '../errors.ts';

/** Longest id (story, asset, job, render). */
export const MAX_ID_LENGTH = 64;
/** Longest display name (an upload's file name, a story title). */
export const MAX_NAME_LENGTH = 200;

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
// C0, DEL, C1, and the Unicode line/paragraph separators and bidi overrides.
// eslint-disable-next-line no-control-regex -- matching control characters is the point: names holding them are refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Throws STUDIO_BAD_NAME unless `id` is a plain id (letters, digits, `_`, `-`; ≤ 64). */
export function checkId(what: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || !ID.test(id)) {
    throw new StudioError(
      'STUDIO_BAD_NAME',
      `${what} id must be 1–${MAX_ID_LENGTH} letters, digits, '_' or '-', got ${JSON.stringify(String(id).slice(0, 80))}`,
    );
  }
  return id;
}

/** Throws STUDIO_BAD_NAME for a name with separators, `..`, control characters, or past the cap. */
export function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string') throw new StudioError('STUDIO_BAD_NAME', `${what} must be a string`);
  const n = name.normalize('NFC');
  if (n.trim().length === 0 || n.length > MAX_NAME_LENGTH) throw new StudioError('STUDIO_BAD_NAME', `${what} must be 1–${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(n)) throw new StudioError('STUDIO_BAD_NAME', `${what} contains a control character`);
  if (/[/\\]/.test(n) || n.includes('..')) throw new StudioError('STUDIO_BAD_NAME', `${what} must not contain '/', '\\' or '..'`);
  return n.trim();
}

/** Display text (a title): any characters but control ones, at most `max`. */
export function checkText(what: string, text: string, max = MAX_NAME_LENGTH): string {
  if (text.length > max) throw new StudioError('STUDIO_TEXT_TOO_LONG', `${what} has ${text.length} characters; at most ${max}`);
  if (CONTROL.test(text)) throw new StudioError('STUDIO_BAD_NAME', `${what} contains a control character`);
  return text;
}

/** A new random id (16 hex digits), for assets, renders and stories created by the server. */
export function newId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A Content-Disposition value for downloading `title` as `<title>.<ext>`: an ASCII fallback
 * (anything but letters, digits, space, `-_.()` becomes `_`) and the UTF-8 form (RFC 6266 / 8187).
 */
export function contentDisposition(title: string, ext: string): string {
  const base = title.replace(CONTROL, '').trim().slice(0, 120) || 'render';
  const ascii = base.replace(/[^A-Za-z0-9 ._()-]/g, '_').replace(/^\.+/, '_');
  const utf8 = encodeURIComponent(`${base}.${ext}`).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}.${ext}"; filename*=UTF-8''${utf8}`;
}
