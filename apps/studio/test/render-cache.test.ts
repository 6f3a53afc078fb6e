// The render caches and disk-full handling (docs/studio.md §5.10): the clip cache in memory (lru-cache,
// maxSize in bytes), the intermediates cache on disk (quota, LRU, leases), and ENOSPC → STUDIO_QUOTA.
// espeak-ng runs are counted through a wrapper script named by TIDEWIRE_ESPEAK (set before the
// render modules load), which logs one line per run and execs the real espeak-ng. Disk full is a
// real 1 MiB tmpfs (mount needs root; the test is skipped without it).
import { espeakCountFile, espeakDir } from './render-cache-espeak.ts';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFile, spawn } from 'node:child_process';
import { mkdir, rm, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Voice } from '../src/model.ts';
import { scene, scratch, story } from './render-helpers.ts';

const exec = promisify(execFile);
let s: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  s = await scratch();
});
after(async () => {
  await s.cleanup();
  await rm(espeakDir, { recursive: true, force: true });
});

const render = () => import('../src/render/index.ts');
const diskCacheModule = () => import('../src/render/disk-cache.ts');
const countFile = espeakCountFile;
const VOICE: Voice = { voice: 'en', rate: 200, pitch: 50 };
const small = { size: { width: 96, height: 160 }, fps: 10 };

async function espeakRuns(): Promise<number> {
  try {
    return (await readFile(countFile, 'utf8')).split('\n').filter((l) => l === 'run').length;
  } catch {
    return 0;
  }
}

/** The bytes of the committed entries in a cache folder, read from the disk (not from the cache). */
async function folderBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const name of await readdir(dir)) {
    const st = await stat(join(dir, name));
    if (st.isFile()) sum += st.size;
  }
  return sum;
}

const writeBytes = (n: number) => (tmp: string) => writeFile(tmp, Buffer.alloc(n, 7));

describe('§5.10.1 spoken clips are cached', () => {
  it('a memory hit and a disk hit run no espeak-ng; a changed text does', async () => {
    const { speak, createClipCache, openDiskCache } = await render();
    const disk = openDiskCache(join(s.dir, 'cache-speak'));
    const memory = createClipCache();
    const before = await espeakRuns();
    const first = await speak('The same words twice', VOICE, join(s.dir, 'a.wav'), {}, { memory, disk });
    assert.equal(first.hit, false);
    assert.equal(await espeakRuns(), before + 1);
    const again = await speak('The same words twice', VOICE, join(s.dir, 'b.wav'), {}, { memory, disk });
    assert.equal(again.hit, 'memory');
    assert.ok(again.pcm.equals(first.pcm));
    // A restarted process has an empty memory but the same folder: the WAV comes from disk.
    const fromDisk = await speak('The same words twice', VOICE, join(s.dir, 'c.wav'), {}, { memory: createClipCache(), disk });
    assert.equal(fromDisk.hit, 'disk');
    assert.ok(fromDisk.pcm.equals(first.pcm));
    assert.equal(await espeakRuns(), before + 1, 'no espeak-ng run for either hit');
    await speak('The same words twice', { ...VOICE, pitch: 51 }, join(s.dir, 'd.wav'), {}, { memory, disk });
    assert.equal(await espeakRuns(), before + 2, 'another pitch is another clip');
  });

  it('re-rendering a story with one edited scene speaks only that scene', async () => {
    const { renderStory, createClipCache } = await render();
    const clipCache = createClipCache();
    const base = (texts: string[]) =>
      story(
        texts.map((t, i) => scene(i, t)),
        { gapSeconds: 0.2 },
      );
    const o = (name: string) => ({
      outPath: join(s.out, `${name}.mp4`),
      thumbnailPath: join(s.out, `${name}.jpg`),
      workDir: join(s.state, `work-${name}`),
      stateDir: s.state,
      assets: () => undefined,
      clipCache,
    });
    const before = await espeakRuns();
    await renderStory(base(['First scene here', 'Second scene here', 'Third scene here']), o('r1'), small);
    assert.equal(await espeakRuns(), before + 3);
    await renderStory(base(['First scene here', 'Second scene, edited', 'Third scene here']), o('r2'), small);
    assert.equal(await espeakRuns(), before + 4, 'one espeak-ng run for the one edited scene');
  });

  it('maxSize (bytes) evicts the least recently used clip', async () => {
    const { createClipCache } = await render();
    const clip = (bytes: number) => ({ sampleRate: 22050, pcm: Buffer.alloc(bytes), durationSeconds: bytes / 44100 });
    const cache = createClipCache(10_000);
    cache.set('a', clip(4000));
    cache.set('b', clip(4000));
    assert.ok(cache.get('a')); // a is now more recent than b
    cache.set('c', clip(4000));
    assert.ok(cache.has('a') && cache.has('c'));
    assert.equal(cache.has('b'), false, 'b was the least recently used');
    assert.ok(cache.calculatedSize <= 10_000);
  });
});

describe('§5.10.2 the intermediates cache on disk', () => {
  it('never holds more than its quota, however many inserts; the newest stays', async () => {
    const { DiskCache } = await diskCacheModule();
    const dir = join(s.dir, 'cache-quota');
    const quota = 20_000;
    const cache = new DiskCache(dir, quota);
    for (let i = 0; i < 60; i++) {
      const size = 500 + ((i * 7919) % 4000);
      const lease = await cache.acquire(`entry-${i}.bin`, writeBytes(size));
      lease.release();
      const bytes = await folderBytes(dir);
      assert.ok(bytes <= quota, `after insert ${i}: ${bytes} bytes on disk > ${quota}`);
      assert.equal(cache.bytes(), bytes);
    }
    const names = (await readdir(dir)).filter((n) => n !== 'pins');
    assert.ok(names.includes('entry-59.bin'));
    assert.ok(!names.includes('entry-0.bin'), 'the oldest went first');
    assert.ok(names.every((n) => !n.endsWith('.partial')));
  });

  it('evicts by last use: a hit makes an old entry recent', async () => {
    const { DiskCache } = await diskCacheModule();
    const cache = new DiskCache(join(s.dir, 'cache-lru'), 3000);
    for (const n of ['a', 'b', 'c']) (await cache.acquire(n, writeBytes(1000))).release();
    await new Promise((r) => setTimeout(r, 20));
    const hit = await cache.acquire('a', () => {
      throw new Error('a hit must not produce');
    });
    assert.equal(hit.hit, true);
    hit.release();
    (await cache.acquire('d', writeBytes(1000))).release();
    const names = (await readdir(cache.dir)).filter((n) => n !== 'pins').sort();
    assert.deepEqual(names, ['a', 'c', 'd']);
  });

  it('an entry in use (here, or pinned by another live process) is not evicted; no room at all is STUDIO_QUOTA', async () => {
    const { DiskCache } = await diskCacheModule();
    const dir = join(s.dir, 'cache-held');
    const cache = new DiskCache(dir, 3000);
    const held = await cache.acquire('held', writeBytes(1000));
    (await cache.acquire('other', writeBytes(1000))).release();
    (await cache.acquire('theirs', writeBytes(1000))).release();
    // Another process sharing the folder holds `theirs` (its pin names a live pid).
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'pins', `theirs@${sleeper.pid}`), '');
      for (let i = 0; i < 5; i++) (await cache.acquire(`new-${i}`, writeBytes(1000))).release();
      const names = await readdir(dir);
      assert.ok(names.includes('held'), 'the held entry survived');
      assert.ok(names.includes('theirs'), 'the entry pinned by another process survived');
      assert.ok(!names.includes('other'));
      assert.equal(cache.holders('held'), 1);
      // Everything held: a new entry has no room.
      const second = await cache.acquire('new-4', () => Promise.resolve());
      await assert.rejects(cache.acquire('no-room', writeBytes(1000)), (e: { code?: string }) => e.code === 'STUDIO_QUOTA');
      assert.ok((await readdir(dir)).every((n) => !n.endsWith('.partial')));
      second.release();
    } finally {
      // Wait until it is reaped: until then its pid still answers kill(pid, 0) (a zombie), and the
      // reopened cache would rightly keep the pin (a race a busy machine lost once).
      const exited = sleeper.exitCode !== null || sleeper.signalCode !== null ? Promise.resolve() : once(sleeper, 'exit');
      sleeper.kill('SIGKILL');
      await exited;
      held.release();
    }
    // Reopened after the other process died: its pin is cleaned up.
    const reopened = new DiskCache(dir, 3000);
    await reopened.ready;
    assert.deepEqual(await readdir(join(dir, 'pins')), []);
  });

  it('an intermediate larger than the whole quota is STUDIO_QUOTA and leaves no partial file; so does a render', async () => {
    const { DiskCache } = await diskCacheModule();
    const dir = join(s.dir, 'cache-tiny');
    const cache = new DiskCache(dir, 100);
    await assert.rejects(cache.acquire('big.bin', writeBytes(1000)), (e: { code?: string }) => e.code === 'STUDIO_QUOTA');
    assert.deepEqual(await readdir(dir), ['pins']);
    assert.equal(cache.holders('big.bin'), 0, 'the failed acquire holds nothing');

    const { renderStory } = await render();
    const cacheDir = join(s.dir, 'cache-tiny-render');
    const o = {
      outPath: join(s.out, 'tiny.mp4'),
      thumbnailPath: join(s.out, 'tiny.jpg'),
      workDir: join(s.state, 'work-tiny'),
      stateDir: s.state,
      assets: () => undefined,
      cacheDir,
      cacheQuotaBytes: 1000,
      clipCache: null,
    };
    await assert.rejects(renderStory(story([scene(0, 'Too long for a thousand bytes')]), o, small), (e: { code?: string }) => e.code === 'STUDIO_QUOTA');
    assert.deepEqual(await readdir(cacheDir), ['pins'], 'no partial WAV in the cache');
    assert.deepEqual(
      (await readdir(s.out)).filter((n) => n.includes('tiny')),
      [],
    );
    assert.ok(!(await readdir(s.state)).includes('work-tiny'));
    assert.deepEqual(await readdir(join(s.state, 'live')), []);
  });

  it('a temp file of a killed run is removed when the folder is opened', async () => {
    const { DiskCache } = await diskCacheModule();
    const dir = join(s.dir, 'cache-leftover');
    await mkdir(join(dir, 'pins'), { recursive: true });
    const dead = spawn('true');
    await new Promise((r) => dead.once('close', r));
    await writeFile(join(dir, `.x.wav.${dead.pid}.0123abcd.partial`), 'half');
    await writeFile(join(dir, 'pins', `x.wav@${dead.pid}`), '');
    const cache = new DiskCache(dir);
    await cache.ready;
    assert.deepEqual(await readdir(dir), ['pins']);
    assert.deepEqual(await readdir(join(dir, 'pins')), []);
  });
});

describe('§5.10.3 a full disk is STUDIO_QUOTA', () => {
  /** A 1 MiB tmpfs, filled to `freeBytes` of room; unmounted afterwards. */
  async function fullDisk(name: string, freeBytes: number): Promise<{ dir: string; done(): Promise<void> } | undefined> {
    const dir = join(s.dir, name);
    await mkdir(dir, { recursive: true });
    try {
      await exec('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    } catch {
      return undefined;
    }
    const done = async () => {
      await exec('umount', [dir]);
    };
    try {
      await exec('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=1024', `count=${1024 - Math.ceil(freeBytes / 1024)}`]);
    } catch (e) {
      await done();
      throw e;
    }
    return { dir, done };
  }

  it('ENOSPC from our own write (the voice track) and from FFmpeg (the MP4) both give STUDIO_QUOTA and remove the partial files; the next render works', async (t) => {
    const { renderStory } = await render();
    const st = story([scene(0, 'A story that needs room on the disk'), scene(1, 'more than there is')]);
    const base = { stateDir: s.state, assets: () => undefined, cacheDir: join(s.dir, 'cache-full'), clipCache: null };

    const work = await fullDisk('full-work', 8 * 1024);
    if (!work) return t.skip('mount -t tmpfs needs root');
    try {
      const o = { ...base, outPath: join(s.out, 'nospace1.mp4'), thumbnailPath: join(s.out, 'nospace1.jpg'), workDir: join(work.dir, 'work') };
      await assert.rejects(renderStory(st, o, small), (e: { code?: string }) => e.code === 'STUDIO_QUOTA');
      assert.deepEqual(await readdir(work.dir), ['filler'], 'the work folder is gone');
    } finally {
      await work.done();
    }

    const out = await fullDisk('full-out', 4 * 1024);
    try {
      const o = { ...base, outPath: join(out!.dir, 'nospace2.mp4'), thumbnailPath: join(out!.dir, 'nospace2.jpg'), workDir: join(s.state, 'work-nospace2') };
      await assert.rejects(renderStory(st, o, { size: { width: 360, height: 640 } }), (e: { code?: string }) => e.code === 'STUDIO_QUOTA');
      assert.deepEqual(await readdir(out!.dir), ['filler'], 'no partial MP4 beside the output');
    } finally {
      await out!.done();
    }

    const ok = await renderStory(
      st,
      { ...base, outPath: join(s.out, 'after.mp4'), thumbnailPath: join(s.out, 'after.jpg'), workDir: join(s.state, 'work-after') },
      small,
    );
    assert.ok(ok.bytes > 0);
  });
});
