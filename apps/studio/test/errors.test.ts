// docs/studio.md §7 error codes: every code the studio emits (server routes, queue, pipeline, UI)
// is in the registry (src/errors.ts) with a description and an HTTP status, so clients and docs
// have one vocabulary. The emitted codes are read from the sources: any quoted 'STUDIO_…' literal.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { StudioErrorCodes } from '../src/errors.ts';
import { UNKNOWN_ERROR_CODE } from '../src/queue/policy.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(n) ? [p] : [];
  });
}

test('§7 every STUDIO_ code the sources emit is in the registry, with a description and a status', () => {
  const emitted = new Map<string, string>();
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'ui'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](STUDIO_[A-Z0-9_]+)['"`]/g)) emitted.set(m[1]!, file.slice(ROOT.length));
  }
  assert.ok(emitted.has('STUDIO_INTERNAL') && emitted.has('STUDIO_NOT_FOUND'), 'the scan finds the codes the server answers with');
  const missing = [...emitted].filter(([code]) => !(code in StudioErrorCodes)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'codes emitted but not in src/errors.ts');
  assert.ok(UNKNOWN_ERROR_CODE in StudioErrorCodes, "the queue's code for uncoded errors is registered");
  for (const [code, spec] of Object.entries(StudioErrorCodes)) {
    assert.ok(spec.description.length > 10, `${code} has a description`);
    assert.ok(Number.isInteger(spec.status) && spec.status >= 400 && spec.status < 600, `${code} has an HTTP status`);
  }
});
