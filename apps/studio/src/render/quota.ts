// Disk full, mapped to one code (docs/studio.md §5.10): an ENOSPC or EDQUOT from a write of ours, or
// an FFmpeg/espeak-ng that says so on stderr, becomes STUDIO_QUOTA, so the job fails with a message
// that tells what to free, and the server (which only sees a coded error) stays up.
import { StudioError } from '../errors.ts';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
/** What the C library's strerror says for ENOSPC and EDQUOT (FFmpeg and espeak-ng print it). */
const FULL_TEXT = /No space left on device|Disk quota exceeded/i;

/** True for an error that means "the disk (or the user's disk quota) is full". */
export function isDiskFull(e: unknown): boolean {
  if (e instanceof StudioError) return e.code === 'STUDIO_QUOTA' || (e.code === 'STUDIO_TOOL_FAILED' && FULL_TEXT.test(e.message));
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && FULL_CODES.has(code);
}

/** STUDIO_QUOTA for a disk-full error (kept as the cause), `e` unchanged otherwise. */
export function mapDiskFull(e: unknown, where: string): unknown {
  if (e instanceof StudioError && e.code === 'STUDIO_QUOTA') return e;
  if (!isDiskFull(e)) return e;
  return new StudioError(
    'STUDIO_QUOTA',
    `${where}: the disk is full (${(e as Error).message.split('\n').slice(-1)[0]}); free space or lower the caches' quotas`,
    { cause: e },
  );
}

/** The first stderr line saying the disk is full, if any (a tool may exit 0 after one). */
export function diskFullLine(lines: string[]): string | undefined {
  return lines.find((l) => FULL_TEXT.test(l));
}
