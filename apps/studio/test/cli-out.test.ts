// docs/cli.md §7: `tidewire studio render --out/--thumbnail` write only a new path or a regular
// file; a symbolic link, a FIFO, a directory or a device is refused before anything is rendered
// (exit 1, CLI_OUT_NOT_REGULAR naming it) and left as it was.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { specialTargets } from '@tidewire/testkit';
import { createStudioCommand } from '../src/cli.ts';

test('§7 studio render --out and --thumbnail: a symbolic link, a FIFO, a directory, a character device are refused before rendering and left as they were', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'studio-out-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = join(dir, 'story.txt');
  await writeFile(script, 'A tiny story.\n');
  const outs = await specialTargets(dir, 'mp4');
  const thumbs = await specialTargets(dir, 'jpg');
  const made = (await readdir(dir)).sort();
  const cases = [
    ...outs.map((target) => ({ target, args: ['--out', target.path] })),
    ...thumbs.map((target) => ({ target, args: ['--out', join(dir, 'new.mp4'), '--thumbnail', target.path] })),
  ];
  for (const { target, args } of cases) {
    let out = '';
    let err = '';
    const cmd = createStudioCommand({ write: (s) => void (out += s) }, { write: (s) => void (err += s) });
    const code = await cmd.run(['render', script, ...args]);
    await target.assertUnchanged();
    assert.equal(code, 1, `${target.kind}: ${err}`);
    assert.ok(err.includes('tidewire studio render: CLI_OUT_NOT_REGULAR: ') && err.includes(target.path) && err.includes(target.kind), err);
    assert.equal(out, '');
    assert.ok(!/voice|compose/.test(err), `nothing was rendered: ${err}`);
  }
  assert.deepEqual((await readdir(dir)).sort(), made, 'no output or temporary file appeared');
});
