// docs/studio.md §1.6 voices, preview and backgrounds; §1.10 the token guard on /studio/api.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startStudio } from './server-helpers.ts';

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('§1.6 the voice preview speaks one scene to a WAV; an unknown voice is STUDIO_BAD_VOICE', async (t) => {
  const { api, dataDir } = await startStudio(t);
  const res = await fetch(
    `${api}/voice/preview`,
    post({ text: '-v nothing: a line that starts like an option.', voice: { voice: 'en', rate: 200, pitch: 40 } }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'audio/wav');
  const wav = Buffer.from(await res.arrayBuffer());
  assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
  assert.equal(wav.subarray(8, 12).toString(), 'WAVE');
  assert.ok(wav.length > 10_000, `${wav.length} bytes of speech`);
  // Through the pipeline's speak(): the clip is in the render's disk cache, so its render will not speak it again.
  assert.equal(readdirSync(join(dataDir, 'cache', 'render')).filter((n) => /^tts-.*\.wav$/.test(n)).length, 1);
  const bad = await fetch(`${api}/voice/preview`, post({ text: 'hello', voice: { voice: 'nosuchvoice', rate: 170, pitch: 50 } }));
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { code: string }).code, 'STUDIO_BAD_VOICE');
  const range = await fetch(`${api}/voice/preview`, post({ text: 'hello', voice: { voice: 'en', rate: 9999, pitch: 50 } }));
  assert.equal(((await range.json()) as { code: string }).code, 'STUDIO_BAD_REQUEST');
  const voices = (await (await fetch(`${api}/voices`)).json()) as { voices: { voice: string }[] };
  assert.ok(
    voices.voices.some((v) => v.voice === 'en-us'),
    'espeak-ng voices are listed',
  );
  const bgs = (await (await fetch(`${api}/backgrounds`)).json()) as { builtins: { name: string; colors: string[] }[] };
  const { BUILTIN_BACKGROUNDS } = await import('../src/render/index.ts');
  assert.deepEqual(
    bgs.builtins.map((b) => b.name),
    BUILTIN_BACKGROUNDS.map((b) => b.name),
    'the picker offers exactly what the pipeline renders',
  );
  assert.ok(
    bgs.builtins.every((b) => b.colors.length >= 2 && b.colors.every((c) => /^#[0-9a-f]{6}$/.test(c))),
    'each with swatch colours',
  );
});

test('§1.10 /studio/api needs the server token when one is set', async (t) => {
  const { api } = await startStudio(t, {}, { token: 'sekrit-token-1234567890' });
  const denied = await fetch(`${api}/stories`);
  assert.equal(denied.status, 401);
  const ok = await fetch(`${api}/stories`, { headers: { authorization: 'Bearer sekrit-token-1234567890' } });
  assert.equal(ok.status, 200);
});
