// Where the studio keeps its files by default (docs/studio.md §1.1), shared by the server
// and `tidewire studio worker` without pulling the server's HTTP stack into the worker.
import { fileURLToPath } from 'node:url';

/** `.tidewire/studio/` at the repository root. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.tidewire/studio/', import.meta.url));
