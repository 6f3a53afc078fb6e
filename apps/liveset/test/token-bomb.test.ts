// Regression: a 508 KB .als cost 1.2 GB of memory (issue 12). The 1,024-character name cap
// was applied after saxes had buffered the whole attribute value (or comment, CDATA, …), so a
// gzip bomb that inflates to one 510 MiB attribute peaked at 1,169 MB RSS in `als-info`.
// Each bomb here is built as a stream (never held whole) and read in a fresh child process,
// whose peak RSS (VmHWM) is the measurement.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./bomb-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'als-bomb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Payload of every bomb: 128 MiB inflated (~130 KB of gzip). Before the fix, one such
 * attribute held ~2.3 bytes of memory per character. */
const BOMB_BYTES = 128 * 1024 * 1024;
/** A fresh `node --import tsx` child reading a small set peaks at ~85 MB; Michelle ~125 MB. */
const RSS_LIMIT_MB = 150;

/** Writes gzip(head + fill × bytes + tail) to a file without holding the XML. */
async function writeBomb(name: string, head: string, fill: (i: number) => string, bytes: number, tail: string): Promise<string> {
  const path = join(dir, name);
  async function* xml(): AsyncGenerator<Buffer> {
    yield Buffer.from(head);
    let sent = 0;
    for (let i = 0; sent < bytes; i++) {
      const piece = Buffer.from(fill(i));
      sent += piece.length;
      yield piece;
    }
    yield Buffer.from(tail);
  }
  await pipeline(Readable.from(xml()), createGzip(), createWriteStream(path));
  return path;
}

const BLOCK = 'A'.repeat(64 * 1024);
const SET_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<Ableton MajorVersion="5" Creator="bomb"><LiveSet>';
const SET_TAIL = '</LiveSet></Ableton>\n';

async function readInChild(path: string, maxXmlBytes?: number): Promise<{ code: string; hwmMB: number }> {
  const args = ['--import', 'tsx', CHILD, path];
  if (maxXmlBytes !== undefined) args.push(String(maxXmlBytes));
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout) as { code: string; hwmMB: number };
}

async function assertBombStops(t: TestContext, path: string, code: string, maxXmlBytes?: number): Promise<void> {
  const { code: got, hwmMB } = await readInChild(path, maxXmlBytes);
  t.diagnostic(`${got}, peak RSS ${hwmMB.toFixed(0)} MB`);
  assert.equal(got, code, `got ${got} with peak RSS ${hwmMB.toFixed(0)} MB`);
  assert.ok(hwmMB < RSS_LIMIT_MB, `peak RSS ${hwmMB.toFixed(0)} MB, limit ${RSS_LIMIT_MB} MB`);
}

describe('§6 a 508 KB .als costs 1.2 GB: a bomb in one token stops at maxTokenChars', () => {
  it('§6 one 128 MiB attribute value stops with ALS_TOKEN_TOO_LONG under 150 MB RSS', async (t) => {
    const path = await writeBomb('attr.als', `${SET_HEAD}<Name Value="`, () => BLOCK, BOMB_BYTES, `"/>${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOKEN_TOO_LONG');
  });
  it('§6 one tag with millions of small attributes stops with ALS_TOKEN_TOO_LONG under 150 MB RSS', async (t) => {
    const attrs = (block: number): string => Array.from({ length: 4096 }, (_, j) => ` a${block * 4096 + j}="1"`).join('');
    const path = await writeBomb('attrs.als', `${SET_HEAD}<Name`, attrs, BOMB_BYTES, `/>${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOKEN_TOO_LONG');
  });
  it('§6 one 128 MiB comment stops with ALS_TOKEN_TOO_LONG under 150 MB RSS', async (t) => {
    const path = await writeBomb('comment.als', `${SET_HEAD}<!--`, () => BLOCK, BOMB_BYTES, `-->${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOKEN_TOO_LONG');
  });
  it('§6 one 128 MiB CDATA section stops with ALS_TOKEN_TOO_LONG under 150 MB RSS', async (t) => {
    const path = await writeBomb('cdata.als', `${SET_HEAD}<![CDATA[`, () => BLOCK, BOMB_BYTES, `]]>${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOKEN_TOO_LONG');
  });
  it('§6 one 128 MiB processing instruction stops with ALS_TOKEN_TOO_LONG under 150 MB RSS', async (t) => {
    const path = await writeBomb('pi.als', `${SET_HEAD}<?bomb `, () => BLOCK, BOMB_BYTES, `?>${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOKEN_TOO_LONG');
  });
  it('§6 one 128 MiB entity name stops with ALS_TOKEN_TOO_LONG under 150 MB RSS', async (t) => {
    const path = await writeBomb('entity.als', `${SET_HEAD}<Name Value="&`, () => BLOCK, BOMB_BYTES, `;"/>${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOKEN_TOO_LONG');
  });
  it('§6 one 128 MiB text node is not buffered: it stops at maxXmlBytes with ALS_TOO_LARGE under 150 MB RSS', async (t) => {
    // Text is streamed past (the reader has no text handler, so saxes keeps none of it): a
    // long text node is legal (Michelle holds a 9 MB plug-in buffer) and only the inflated
    // size cap applies.
    const path = await writeBomb('text.als', `${SET_HEAD}<Buffer>`, () => BLOCK, BOMB_BYTES, `</Buffer>${SET_TAIL}`);
    await assertBombStops(t, path, 'ALS_TOO_LARGE', 64 * 1024 * 1024);
  });
});
