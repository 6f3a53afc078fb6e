// docs/studio.md §2 assets: streamed uploads with a hard cap, type by content (ffprobe),
// thumbnail and proxy by FFmpeg, untrusted names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStudio } from './server-helpers.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** PUT with node:http: `chunked` sends without Content-Length, in 16 KiB pieces. */
function put(url: string, body: Buffer, options: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', ...options.headers };
    if (!options.chunked) headers['content-length'] = body.length;
    const req = request(url, { method: 'PUT', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    // The server may answer and close before the whole body is sent.
    req.on('error', reject);
    if (options.chunked) {
      let off = 0;
      const pump = () => {
        while (off < body.length) {
          const piece = body.subarray(off, off + 16 * 1024);
          off += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    } else req.end(body);
  });
}

const fixtures = mkdtempSync(join(tmpdir(), 'studio-fixtures-'));
process.on('exit', () => rmSync(fixtures, { recursive: true, force: true }));
function make(name: string, args: string[]): Buffer {
  const out = join(fixtures, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  return readFileSync(out);
}
const png = make('bg.png', ['-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1']);
const wav = make('bed.wav', ['-f', 'lavfi', '-i', 'sine=frequency=220:duration=1.5']);
const mp4 = make('clip.mp4', [
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=320x240:rate=25:duration=2',
  '-pix_fmt',
  'yuv420p',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
]);

function files(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir, { recursive: true }) as string[]) if (statSync(join(dir, n)).isFile()) out.push(n);
  return out.sort();
}

test('§2.1 an upload is typed by its content: image, audio and video with thumbnail (≤ 30 KB JPEG) and proxy', async (t) => {
  const { api, dataDir } = await startStudio(t);
  // Names that lie about the type: the content decides.
  const cases = [
    { body: png, name: 'holiday.mp3', kind: 'image', proxy: 'image/jpeg' },
    { body: wav, name: 'music bed.png', kind: 'audio', proxy: 'audio/mp4' },
    { body: mp4, name: 'Clip (final).txt', kind: 'video', proxy: 'video/mp4' },
  ];
  for (const c of cases) {
    const res = await put(`${api}/assets?name=${encodeURIComponent(c.name)}`, c.body);
    assert.equal(res.status, 201, res.body.toString());
    const asset = JSON.parse(res.body.toString());
    assert.equal(asset.kind, c.kind, c.name);
    assert.equal(asset.name, c.name);
    assert.equal(asset.bytes, c.body.length);
    const thumb = await fetch(`${api}/assets/${asset.id}/thumbnail`);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await thumb.arrayBuffer());
    assert.ok(jpeg.length > 0 && jpeg.length <= 30 * 1024, `thumbnail ${jpeg.length} bytes`);
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    const proxy = await fetch(`${api}/assets/${asset.id}/proxy`);
    assert.equal(proxy.status, 200);
    assert.equal(proxy.headers.get('content-type'), c.proxy);
  }
  const list = (await (await fetch(`${api}/assets`)).json()) as { assets: { kind: string }[] };
  assert.deepEqual(list.assets.map((a) => a.kind).sort(), ['audio', 'image', 'video']);
  assert.deepEqual(files(join(dataDir, 'tmp')), [], 'no temp files left');
});

test('§2.1 an upload 1 byte over the cap is refused (declared or streamed) and leaves no file', async (t) => {
  const cap = 256 * 1024;
  const { api, dataDir } = await startStudio(t, { assetLimits: { uploadBytes: cap } });
  const over = Buffer.alloc(cap + 1, 1);
  const declared = await put(`${api}/assets?name=big.bin`, over);
  assert.equal(declared.status, 413);
  assert.equal(JSON.parse(declared.body.toString()).code, 'STUDIO_UPLOAD_TOO_LARGE');
  // Without Content-Length only the byte counter can stop it: cut at the first byte over.
  const streamed = await put(`${api}/assets?name=big.bin`, over, { chunked: true });
  assert.equal(streamed.status, 413);
  assert.equal(JSON.parse(streamed.body.toString()).code, 'STUDIO_UPLOAD_TOO_LARGE');
  assert.deepEqual(files(join(dataDir, 'tmp')), [], 'the partial file is removed');
  assert.deepEqual(files(join(dataDir, 'assets')), []);
  // Exactly at the cap is not "too large" (it is refused for its content instead).
  const at = await put(`${api}/assets?name=big.bin`, Buffer.alloc(cap, 1), { chunked: true });
  assert.equal(JSON.parse(at.body.toString()).code, 'STUDIO_UNSUPPORTED_MEDIA');
});

test('§2.2 a corrupt image is refused with STUDIO_UNSUPPORTED_MEDIA, saying what is wrong, and leaves nothing', async (t) => {
  const { api, dataDir } = await startStudio(t);
  const truncated = Buffer.concat([png.subarray(0, 200), Buffer.alloc(2000, 0x55)]);
  const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251));
  for (const [name, body] of [
    ['photo.png', truncated],
    ['photo.jpg', random],
    ['notes.png', Buffer.from('just some text, not a picture\n'.repeat(40))],
  ] as const) {
    const res = await put(`${api}/assets?name=${name}`, body);
    assert.equal(res.status, 415, name);
    const err = JSON.parse(res.body.toString());
    assert.equal(err.code, 'STUDIO_UNSUPPORTED_MEDIA', name);
    assert.ok(err.message.length > 10, err.message);
  }
  assert.deepEqual(files(join(dataDir, 'tmp')), []);
  assert.deepEqual(files(join(dataDir, 'assets')), []);
});

test('§1.4 upload names with ../, separators or control characters are refused with STUDIO_BAD_NAME', async (t) => {
  const { api, dataDir } = await startStudio(t);
  for (const name of ['../../etc/passwd', 'a/b.png', 'a\\b.png', 'bell\u0007.png', 'line\nbreak.png', 'rtl\u202eg.png', '', ' '.repeat(3), 'x'.repeat(201)]) {
    const res = await put(`${api}/assets?name=${encodeURIComponent(name)}`, png);
    assert.equal(res.status, 400, JSON.stringify(name));
    assert.equal(JSON.parse(res.body.toString()).code, 'STUDIO_BAD_NAME', JSON.stringify(name));
  }
  assert.deepEqual(files(join(dataDir, 'assets')), []);
  for (const id of ['..%2F..%2Fstories', 'x%00']) {
    const res = await fetch(`${api}/assets/${id}/thumbnail`);
    assert.equal(((await res.json()) as { code: string }).code, 'STUDIO_BAD_NAME');
  }
});
