// §6 Errors: every way a file can be wrong gives an AlsError with a stable code that names
// the file; caps stop oversized input early.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { AlsErrorCode } from '../src/index.ts';
import { ALS_ERROR_CODES, AlsError, parseAls, readAls } from '../src/index.ts';
import { fixturePath, fixtureXml, gzipText, negativePath, parseBytes } from './helpers.ts';

function isAls(code: AlsErrorCode, fileName: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof AlsError, `not an AlsError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.fileName, fileName);
    assert.ok(err.message.startsWith(`${fileName}: `), err.message);
    return true;
  };
}

function gzXml(xml: string): Buffer {
  return gzipSync(Buffer.from(xml, 'utf8'));
}

describe('§6 negative fixtures', () => {
  it('rejects the empty file with ALS_EMPTY', async () => {
    const path = negativePath('dawtool_empty.als');
    await assert.rejects(readAls(path), isAls('ALS_EMPTY', path));
  });
  it('rejects the junk file with ALS_NOT_GZIP', async () => {
    const path = negativePath('dawtool_junk.als');
    await assert.rejects(readAls(path), isAls('ALS_NOT_GZIP', path));
  });
});

describe('§6 gzip layer', () => {
  it('rejects a one-byte file that starts like gzip', async () => {
    await assert.rejects(parseBytes(new Uint8Array([0x1f]), 'one.als'), isAls('ALS_NOT_GZIP', 'one.als'));
  });
  it('accepts the magic bytes split across chunks', async () => {
    const set = await parseBytes(readFileSync(fixturePath('live12')), 'split.als', 1);
    assert.equal(set.summary.mainTrack?.element, 'MainTrack');
  });
  it('rejects gzip holding no bytes with ALS_EMPTY', async () => {
    await assert.rejects(parseBytes(gzipSync(Buffer.alloc(0)), 'nothing.als'), isAls('ALS_EMPTY', 'nothing.als'));
  });
  it('reports a gzip stream cut short as ALS_TRUNCATED', async () => {
    const gz = readFileSync(fixturePath('foo'));
    await assert.rejects(parseBytes(gz.subarray(0, gz.length >> 1), 'half.als'), isAls('ALS_TRUNCATED', 'half.als'));
  });
  it('reports a wrong CRC as ALS_BAD_GZIP', async () => {
    const gz = Buffer.from(readFileSync(fixturePath('live12')));
    gz[gz.length - 8] ^= 0xff; // first byte of the CRC-32 trailer
    await assert.rejects(parseBytes(gz, 'crc.als'), isAls('ALS_BAD_GZIP', 'crc.als'));
  });
  it('stops inflating at maxXmlBytes (a gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    assert.ok(bomb.length < 200_000);
    await assert.rejects(parseBytes(bomb, 'bomb.als', 64 * 1024, { maxXmlBytes: 1024 * 1024 }), isAls('ALS_TOO_LARGE', 'bomb.als'));
  });
  it('rejects a stream of strings with ALS_BAD_OPTIONS', async () => {
    async function* text() {
      yield 'not bytes';
    }
    await assert.rejects(parseAls(text() as unknown as AsyncIterable<Uint8Array>, { fileName: 's.als' }), isAls('ALS_BAD_OPTIONS', 's.als'));
  });
});

describe('§6 XML layer', () => {
  it('rejects whitespace-only XML as ALS_NOT_LIVE_SET', async () => {
    await assert.rejects(parseBytes(gzXml('  \n'), 'blank.als'), isAls('ALS_NOT_LIVE_SET', 'blank.als'));
  });
  it('rejects another root element as ALS_NOT_LIVE_SET', async () => {
    await assert.rejects(parseBytes(gzXml('<?xml version="1.0"?><svg/>'), 'svg.als'), isAls('ALS_NOT_LIVE_SET', 'svg.als'));
  });
  it('rejects <Ableton> without a <LiveSet> as ALS_NOT_LIVE_SET', async () => {
    await assert.rejects(parseBytes(gzXml('<Ableton MajorVersion="5"><Preset/></Ableton>'), 'preset.als'), isAls('ALS_NOT_LIVE_SET', 'preset.als'));
  });
  it('reports malformed XML as ALS_BAD_XML with line and column', async () => {
    const xml = '<?xml version="1.0"?>\n<Ableton>\n  <LiveSet>\n    <Tracks></LiveSet>\n</Ableton>\n';
    await assert.rejects(parseBytes(gzXml(xml), 'bad.als'), (err: unknown) => {
      isAls('ALS_BAD_XML', 'bad.als')(err);
      const e = err as AlsError;
      assert.equal(e.line, 4);
      assert.ok(e.column !== undefined && e.column > 10, `column ${e.column}`);
      assert.match(e.message, /line 4, column \d+/);
      return true;
    });
  });
  it('reports XML that stops mid-document as ALS_TRUNCATED', async () => {
    const xml = fixtureXml('live12');
    await assert.rejects(parseBytes(gzipText(xml.slice(0, 20_000)), 'cut.als'), isAls('ALS_TRUNCATED', 'cut.als'));
  });
  it('caps element depth with ALS_TOO_LARGE', async () => {
    const xml = `<Ableton><LiveSet>${'<a>'.repeat(300)}${'</a>'.repeat(300)}</LiveSet></Ableton>`;
    await assert.rejects(parseBytes(gzXml(xml), 'deep.als'), isAls('ALS_TOO_LARGE', 'deep.als'));
    const ok = await parseBytes(gzXml(xml), 'deep.als', 65536, { maxDepth: 400 });
    assert.equal(ok.summary.tracks.length, 0);
  });
  it('caps the node count with ALS_TOO_LARGE', async () => {
    await assert.rejects(parseBytes(readFileSync(fixturePath('live12')), 'many.als', 65536, { maxNodes: 20 }), isAls('ALS_TOO_LARGE', 'many.als'));
  });
  it('caps one token with ALS_TOKEN_TOO_LONG, with line and column, and maxTokenChars raises the cap', async () => {
    // The cap is checked between inflated chunks (64 KiB), so the token must span one.
    const xml = `<Ableton>\n<LiveSet><Name Value="${'x'.repeat(300_000)}"/></LiveSet></Ableton>`;
    await assert.rejects(parseBytes(gzXml(xml), 'long.als', 65536, { maxTokenChars: 100_000 }), (err: unknown) => {
      isAls('ALS_TOKEN_TOO_LONG', 'long.als')(err);
      assert.equal((err as AlsError).line, 2);
      return true;
    });
    const ok = await parseBytes(gzXml(xml), 'long.als', 65536, { maxTokenChars: 400_000 });
    assert.equal(ok.summary.tracks.length, 0);
  });
  it('accepts a minimal Live Set and omits what it does not store', async () => {
    const set = await parseBytes(gzXml('<Ableton Creator="x"><LiveSet/></Ableton>'), 'min.als');
    assert.deepEqual(set.summary, {
      creator: 'x',
      majorVersion: '',
      minorVersion: '',
      tempo: null,
      timeSignature: null,
      mainTrack: null,
      tracks: [],
      scenes: 0,
      locators: [],
    });
  });
});

describe('§6 files and options', () => {
  it('reports a missing file as ALS_IO naming it', async () => {
    const path = join(tmpdir(), 'tidewire-no-such-set.als');
    await assert.rejects(readAls(path), isAls('ALS_IO', path));
  });
  it('reports a directory as ALS_IO', async () => {
    const path = tmpdir();
    await assert.rejects(readAls(path), isAls('ALS_IO', path));
  });
  it('rejects invalid caps with ALS_BAD_OPTIONS', async () => {
    const path = fixturePath('live12');
    await assert.rejects(readAls(path, { maxDepth: 0 }), isAls('ALS_BAD_OPTIONS', path));
    await assert.rejects(readAls(path, { maxNodes: Number.NaN }), isAls('ALS_BAD_OPTIONS', path));
    await assert.rejects(readAls(path, { maxTokenChars: 0 }), isAls('ALS_BAD_OPTIONS', path));
  });
  it('documents every error code in docs/als.md', () => {
    const doc = readFileSync(new URL('../../../docs/als.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ALS_ERROR_CODES)) assert.ok(doc.includes(`\`${code}\``), `${code} missing from docs/als.md`);
  });
});
