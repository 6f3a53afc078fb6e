// Imported first by render-cache.test.ts: points TIDEWIRE_ESPEAK at a wrapper that logs one line per
// synthesis (`-v …`, not `--voices`) and execs the real espeak-ng, before any render module reads it.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const espeakDir = mkdtempSync(join(tmpdir(), 'studio-espeak-count-'));
export const espeakCountFile = join(espeakDir, 'runs.log');
const wrapper = join(espeakDir, 'espeak-counting');
writeFileSync(wrapper, `#!/bin/sh\n[ "$1" = "-v" ] && echo run >> '${espeakCountFile}'\nexec espeak-ng "$@"\n`);
chmodSync(wrapper, 0o755);
process.env.TIDEWIRE_ESPEAK = wrapper;
