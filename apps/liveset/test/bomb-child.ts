// Child process for token-bomb.test.ts: reads one .als with readAls and prints
// { code, hwmMB } as JSON. Peak RSS (VmHWM) is only meaningful in a fresh process, so each
// bomb gets its own. Argument 2 (optional) is maxXmlBytes.
import { readFileSync } from 'node:fs';
import { AlsError } from '../src/als/errors.ts';
import { readAls } from '../src/als/parse.ts';

const [file, maxXmlBytes] = process.argv.slice(2);
let code = 'OK';
try {
  await readAls(file, maxXmlBytes ? { maxXmlBytes: Number(maxXmlBytes) } : {});
} catch (err) {
  code = AlsError.is(err) ? err.code : `UNEXPECTED ${String(err)}`;
}
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(JSON.stringify({ code, hwmMB: hwm ? Number(hwm[1]) / 1024 : -1 }));
