// Smoke test of the studio benchmark: `bench/src/main.ts studio --quick --json` in a child process
// (a 3 s, 2-scene video rendered by the pipeline and by the naive baseline over a still and a
// looping video, 6 jobs with one cancel and one worker SIGKILL, 50 no-op queue jobs, the page
// loaded once) prints one JSON object of the documented shape; both pipelines' outputs are real
// MP4s of the same duration (±1 frame); nothing is left running and no temp bytes are left.
// Speeds are not asserted here: the targets live in the benchmark's own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSuiteJson } from './run-suite.ts';

/** One frame at the pipeline's 25 fps, plus a millisecond of rounding. */
const FRAME = 1 / 25 + 0.001;

type Probe = { formatDurationSec: number; videoCodec: string; audioCodec: string; width: number; height: number; bytes: number };
type Figures = Record<string, number>;
/** The documented shape of the suite's JSON (the fields this test reads). */
interface StudioResult {
  suite: string;
  quick: boolean;
  render: Record<'tidewire' | 'naive', Figures> & {
    script: { totalSeconds: number };
    runs: Record<'tidewire' | 'naive', Record<'still' | 'video', { probe: Probe }>>;
  };
  memory: Figures & { jobs: Figures; orphanList: unknown[] };
  queue: Record<'embedded' | 'redis', Figures>;
  ui: Figures;
  ratios: Figures;
  targets: Record<string, unknown>;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

test(
  'docs/studio-bench.md §5 studio bench --quick --json: render, memory, queue and ui figures, real MP4s of equal duration, no orphans, no temp bytes',
  { timeout: 240_000 },
  async () => {
    const r = await runSuiteJson<StudioResult>(['studio', '--quick', '--json']);
    assert.equal(r.suite, 'studio');
    assert.equal(r.quick, true);

    for (const kind of ['tidewire', 'naive'] as const)
      for (const f of ['stillRtf', 'videoRtf']) assert.ok(isNum(r.render[kind][f]) && r.render[kind][f] > 0, `render.${kind}.${f} = ${r.render[kind][f]}`);
    for (const f of ['rssAfter10Mb', 'rssAfter100Mb', 'peakServerMb', 'peakTotalMb'])
      assert.ok(isNum(r.memory[f]) && r.memory[f] > 0, `memory.${f} = ${r.memory[f]}`);
    assert.ok(r.memory.peakTotalMb >= r.memory.peakServerMb, 'the tree includes the server');
    for (const kind of ['embedded', 'redis'] as const)
      for (const f of ['jobsPerSec', 'startP99Ms']) assert.ok(isNum(r.queue[kind][f]), `queue.${kind}.${f} = ${r.queue[kind][f]}`);
    assert.ok(r.queue.embedded.jobsPerSec > 0 && r.queue.redis.jobsPerSec > 0);
    for (const f of ['initialJsGzipBytes', 'ttiMs', 'longestTaskMs']) assert.ok(isNum(r.ui[f]), `ui.${f} = ${r.ui[f]}`);
    assert.ok(r.ui.initialJsGzipBytes > 1000, 'the entry chunk was found and measured');
    assert.ok(r.ui.ttiMs > 0);
    for (const f of ['stillRtfVsNaive', 'videoRtfVsNaive', 'rssAfter100VsAfter10']) assert.ok(isNum(r.ratios[f]), `ratios.${f}`);
    const targets = r.targets as Record<string, unknown>;
    assert.deepEqual(Object.keys(targets).sort(), [
      'initialJs',
      'longestTask',
      'orphans',
      'peakServer',
      'peakTotal',
      'rssGrowth',
      'stillRtf',
      'stillVsNaive',
      'tempBytes',
      'videoRtf',
      'videoVsNaive',
    ]);
    for (const [k, v] of Object.entries(targets)) assert.equal(typeof v, 'boolean', `targets.${k}`);

    // Both pipelines made real MP4s (ffprobe reads H.264 + AAC at 1080×1920) of the same length.
    const runs = r.render.runs;
    for (const bg of ['still', 'video'] as const) {
      const t = runs.tidewire[bg].probe;
      const n = runs.naive[bg].probe;
      for (const p of [t, n]) {
        assert.equal(p.videoCodec, 'h264');
        assert.equal(p.audioCodec, 'aac');
        assert.deepEqual([p.width, p.height], [1080, 1920]);
        assert.ok(p.bytes > 10_000);
      }
      assert.ok(Math.abs(t.formatDurationSec - n.formatDurationSec) <= FRAME, `${bg}: tidewire ${t.formatDurationSec} s, naive ${n.formatDurationSec} s`);
      assert.ok(
        Math.abs(t.formatDurationSec - r.render.script.totalSeconds) <= 0.5,
        `${bg}: the video lasts the script (${t.formatDurationSec} s vs ${r.render.script.totalSeconds} s)`,
      );
    }
    assert.ok(r.render.script.totalSeconds > 2 && r.render.script.totalSeconds < 4.5, `a ~3 s script: ${r.render.script.totalSeconds} s`);

    // The jobs ran: one cancelled, the worker killed once, every job finished one way or another.
    const jobs = r.memory.jobs;
    assert.equal(jobs.submitted, 6);
    assert.equal(jobs.cancelled, 1);
    assert.equal(jobs.workerKills, 1);
    assert.equal(jobs.completed + jobs.failed + jobs.cancelled, 6);
    assert.ok(jobs.completed >= 4, `${jobs.completed} completed`);

    assert.equal(r.memory.orphans, 0, `orphans: ${JSON.stringify(r.memory.orphanList)}`);
    assert.equal(r.memory.tempBytesLeft, 0);
  },
);
