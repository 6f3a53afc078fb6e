// docs/browser-bench.md §8: smoke test of the browser benchmark: `bench/src/main.ts browser --quick
// --json` in a child process (a real server process, headless Chromium) prints one JSON object of
// the documented shape, with finite numbers. Speeds are not asserted: the targets live in the
// benchmark's own output (`targets`), never in tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chromiumAvailable } from '@tidewire/testkit';
import { UsageError } from '@tidewire/cli';
import { pageList } from '../src/suites/browser.ts';
import { runSuiteJson } from './run-suite.ts';

type Obj = Record<string, unknown>;

const TREE_KEYS = [
  'firstScreenMs',
  'firstScreenFromNavMs',
  'snapshotMs',
  'snapshotFromNavMs',
  'longestTaskMs',
  'longestTaskMs4x',
  'totalBlockingMs',
  'heapMB',
  'initialJsGzipKB',
  'stormP50Ms',
  'stormP99Ms',
  'stormBusyPct',
  'stormFramesOver20ms',
] as const;
const AT4X_KEYS = ['firstScreenMs', 'snapshotMs', 'longestTaskMs', 'totalBlockingMs', 'stormP99Ms', 'stormBusyPct'] as const;

function finite(o: Obj, keys: readonly string[], where: string): void {
  for (const k of keys) assert.ok(typeof o[k] === 'number' && Number.isFinite(o[k]) && o[k] >= 0, `${where}.${k} = ${String(o[k])}`);
}

test(
  '§8 browser bench --quick --json: both systems side by side on both tree pages, replay and Signal Lab, finite figures',
  { skip: chromiumAvailable() ? false : 'no Chromium', timeout: 900_000 },
  async () => {
    const r = await runSuiteJson<{ pages: Record<string, Obj>; targets: Obj }>(['browser', '--quick', '--json']);
    for (const name of ['liveset50', 'demo17k']) {
      const page = r.pages[name]!;
      for (const system of ['baseline', 'tidewire']) {
        const s = page[system] as Obj;
        finite(s, TREE_KEYS, `${name}.${system}`);
        finite(s.at4x as Obj, AT4X_KEYS, `${name}.${system}.at4x`);
        assert.ok((s.stormSamples as number) > 0, `${name}.${system}: stamped changes reached the screen`);
      }
      finite(page.tidewire as Obj, ['hudLoadMs'], `${name}.tidewire`);
      assert.equal((page.baseline as Obj).hudLoadMs, undefined, 'the baseline page has no HUD');
      finite(page.ratios as Obj, ['firstScreenMs', 'snapshotMs', 'stormP99Ms', 'stormBusyPct'], `${name}.ratios`);
    }
    finite(r.pages.replay!.tidewire as Obj, ['firstFrameMs', 'seekP99Ms', 'droppedFrames', 'droppedFrames16x'], 'replay.tidewire');
    const play = (r.pages.replay!.tidewire as { play: Record<'x1' | 'x16', Obj> }).play;
    for (const k of ['x1', 'x16'] as const)
      finite(play[k], ['staleFrames', 'skippedFrames', 'skippedBlocked', 'skippedUnrefreshed', 'frames', 'refreshGaps'], `replay.tidewire.play.${k}`);
    finite(r.pages.signalLab!.tidewire as Obj, ['audioReadyMs', 'longestTaskMs'], 'signalLab.tidewire');
    const targets = Object.entries(r.targets);
    assert.ok(targets.length >= 17, `one verdict per acceptance line (${targets.length})`);
    for (const [k, v] of targets) assert.equal(typeof v, 'boolean', `targets.${k}`);
  },
);

test("§6 --pages: a comma-separated subset of the pages, run in the suite's order; an unknown or repeated name is a usage error", () => {
  assert.deepEqual(pageList('signalLab,replay', '--pages'), ['replay', 'signalLab']);
  assert.deepEqual(pageList('demo17k', '--pages'), ['demo17k']);
  assert.throws(() => pageList('replay,nope', '--pages'), UsageError);
  assert.throws(() => pageList('replay,replay', '--pages'), UsageError);
  assert.throws(() => pageList('', '--pages'), UsageError);
});
