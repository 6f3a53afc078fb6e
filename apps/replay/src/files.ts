// Node file helpers the generator's loader, the commands and the replay server share: the size
// check before a capped read. (Writes go through @tidewire/cli's writeOutputFile: atomic, and no
// link, device or FIFO is replaced.)
import { stat } from 'node:fs/promises';
import { ReplayError, type ReplayErrorCode } from './generate/errors.ts';

/**
 * Checks, before reading, that `path` is a file of at most `maxBytes`. Absent or unreadable:
 * REPLAY_DATA_MISSING, or false when the file is not `required`. Not a file: REPLAY_DATA_MISSING
 * even when optional (a folder where a file belongs is a mistake, not an absence). Larger: `tooLarge`.
 */
export async function checkFileSize(path: string, maxBytes: number, tooLarge: ReplayErrorCode, required = true): Promise<boolean> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ReplayError('REPLAY_DATA_MISSING', `${path} is not a file`);
    size = s.size;
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    if (!required) return false;
    throw new ReplayError('REPLAY_DATA_MISSING', `${path} does not exist or cannot be read`, { cause: e });
  }
  if (size > maxBytes) throw new ReplayError(tooLarge, `${path} is larger than ${maxBytes} bytes`);
  return true;
}
