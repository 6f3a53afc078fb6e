// docs/studio.md §1.2 stories and scripts, §1.4 ids and names, §1.7 errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateStory } from '../src/render/index.ts';
import { STORY_CAPS } from '../src/script.ts';
import type { Story } from '../src/model.ts';
import { sampleStory, startStudio } from './server-helpers.ts';

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

test('§1.2 a story saved with PUT lists and loads back the same (round trip), atomically written', async (t) => {
  const { api, dataDir } = await startStudio(t);
  const story = sampleStory('tide-1', 'Tides · ünïcode');
  const put = await fetch(`${api}/stories/tide-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(story) });
  assert.equal(put.status, 200);
  const saved = await json(put);
  assert.ok((saved.updatedAt as number) > 0);
  const list = await json(await fetch(`${api}/stories`));
  assert.deepEqual(list.stories, [{ id: 'tide-1', title: 'Tides · ünïcode', scenes: 2, updatedAt: saved.updatedAt }]);
  const loaded = await json(await fetch(`${api}/stories/tide-1`));
  assert.deepEqual({ ...loaded, createdAt: 0, updatedAt: 0 }, story);
  // Saved again: createdAt kept, no temp files left beside the story.
  const again = await json(
    await fetch(`${api}/stories/tide-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...story, title: 'Renamed' }),
    }),
  );
  assert.equal(again.createdAt, saved.createdAt);
  assert.deepEqual(readdirSync(join(dataDir, 'stories')), ['tide-1.json']);
  assert.equal((await fetch(`${api}/stories/tide-1`, { method: 'DELETE' })).status, 204);
  const gone = await fetch(`${api}/stories/tide-1`);
  assert.equal(gone.status, 404);
  assert.equal((await json(gone)).code, 'STUDIO_NOT_FOUND');
});

test('§1.2 POST /stories creates a story with scenes split from its script', async (t) => {
  const { api } = await startStudio(t);
  const res = await fetch(`${api}/stories`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'New', script: 'One.\n\nTwo.\n\nThree.' }),
  });
  assert.equal(res.status, 201);
  const story = await json(res);
  assert.match(story.id as string, /^[0-9a-f]{16}$/);
  assert.deepEqual(
    (story.scenes as { text: string }[]).map((s) => s.text),
    ['One.', 'Two.', 'Three.'],
  );
  const split = await json(
    await fetch(`${api}/script/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ script: 'A.\n\nB.' }) }),
  );
  assert.deepEqual(
    (split.scenes as { id: string; caption: string }[]).map((s) => [s.id, s.caption]),
    [
      ['s1', 'A.'],
      ['s2', 'B.'],
    ],
  );
});

test('§1.4 ids with ../, separators or control characters are refused with STUDIO_BAD_NAME', async (t) => {
  const { api, dataDir } = await startStudio(t);
  for (const bad of ['..%2F..%2Fetc%2Fpasswd', '...', '..%5C', 'a%2Fb', 'a%5Cb', 'a%00b', 'tab%09id', '.hidden', 'x'.repeat(65)]) {
    const res = await fetch(`${api}/stories/${bad}`);
    assert.equal(res.status, 400, bad);
    assert.equal((await json(res)).code, 'STUDIO_BAD_NAME', bad);
  }
  const story = { ...sampleStory('ok'), id: '../evil' };
  const put = await fetch(`${api}/stories/..%2Fevil`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(story) });
  assert.equal((await json(put)).code, 'STUDIO_BAD_NAME');
  const scene = sampleStory('ok');
  scene.scenes[0]!.id = 'a/b';
  const put2 = await fetch(`${api}/stories/ok`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scene) });
  assert.equal((await json(put2)).code, 'STUDIO_BAD_NAME');
  const titled = { ...sampleStory('ok'), title: 'evil\u0007title' };
  const put3 = await fetch(`${api}/stories/ok`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(titled) });
  assert.equal((await json(put3)).code, 'STUDIO_BAD_NAME');
  assert.deepEqual(readdirSync(join(dataDir, 'stories')), [], 'nothing was written');
});

test('§1.7 caps and schema errors answer their codes as { code, message }', async (t) => {
  const { api } = await startStudio(t);
  const many = sampleStory('many');
  many.scenes = Array.from({ length: STORY_CAPS.scenes + 1 }, (_, i) => ({ ...many.scenes[0]!, id: `s${i}` }));
  const r1 = await fetch(`${api}/stories/many`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(many) });
  assert.equal(r1.status, 413);
  assert.equal((await json(r1)).code, 'STUDIO_TOO_MANY_SCENES');
  const long = sampleStory('long');
  long.scenes[0]!.text = 'x'.repeat(2001);
  const r2 = await fetch(`${api}/stories/long`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(long) });
  assert.equal((await json(r2)).code, 'STUDIO_TEXT_TOO_LONG');
  const r3 = await fetch(`${api}/stories/bad`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'bad', title: 3 }),
  });
  assert.equal(r3.status, 400);
  const body3 = await json(r3);
  assert.equal(body3.code, 'STUDIO_BAD_REQUEST');
  assert.equal(typeof body3.message, 'string');
  const huge = await fetch(`${api}/script/split`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ script: 'x'.repeat(2 * 1024 * 1024) }),
  });
  assert.equal(huge.status, 413);
  assert.equal((await json(huge)).code, 'STUDIO_TEXT_TOO_LONG');
  const nope = await fetch(`${api}/nope`);
  assert.equal((await json(nope)).code, 'STUDIO_NOT_FOUND');
});

/** A story with `scenes` scenes whose first caption is `captionChars` long. */
function capped(id: string, scenes: number, captionChars: number): Story {
  const story = sampleStory(id);
  story.scenes = Array.from({ length: scenes }, (_, i) => ({ ...story.scenes[1]!, id: `s${i}` }));
  story.scenes[0]!.caption = 'x'.repeat(captionChars);
  return story;
}

test('§8 the server and the render share one set of caps: a story at the cap is saved and validates, one past it is refused by both', async (t) => {
  const { api } = await startStudio(t);
  const put = (s: Story) => fetch(`${api}/stories/${s.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });
  const noAssets = { assets: () => undefined };

  const atCap = capped('at-cap', STORY_CAPS.scenes, STORY_CAPS.captionChars);
  assert.equal((await put(atCap)).status, 200);
  await validateStory(atCap, noAssets);

  for (const [past, code] of [
    [capped('many', STORY_CAPS.scenes + 1, 10), 'STUDIO_TOO_MANY_SCENES'],
    [capped('long', 2, STORY_CAPS.captionChars + 1), 'STUDIO_TEXT_TOO_LONG'],
  ] as const) {
    assert.equal((await json(await put(past))).code, code, past.id);
    await assert.rejects(validateStory(past, noAssets), (e: { code?: string }) => e.code === code);
  }
});
