// What every benchmark smoke test does first: run `bench/src/main.ts <suite> … --json` in a child
// process as `npm run bench` would, require exit 0 and exactly one line on stdout, and parse it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The suite's `--json` result; fails the test (with the end of its stderr) when it did not exit 0 with one line. */
export async function runSuiteJson<T>(args: readonly string[]): Promise<T> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/src/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  assert.equal(code, 0, `bench exited with ${code}:\n${stderr.slice(-4000)}`);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line on stdout');
  return JSON.parse(lines[0]!) as T;
}
