// §6 Robustness: truncated and bit-flipped copies of every fixture end in a clear AlsError
// or (for damage that leaves valid XML) a successful parse: never a hang, never another
// exception. Seeded; rerun a failure with TIDEWIRE_SEED=<seed printed in the message>.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { seedHint, testSeed } from '@tidewire/random';
import type { AlsErrorCode, LiveSet } from '../src/index.ts';
import { AlsError } from '../src/index.ts';
import { FIXTURES, assertTreeInvariants, fixturePath, fixtureXml, gzipText, parseBytes, prng } from './helpers.ts';
import type { FixtureName } from './helpers.ts';

// One base seed; fixture i runs base + i. Messages name the base (what TIDEWIRE_SEED replays).
const SEED = testSeed(0x5eed);
// Fewer cases for the big fixtures keep the suite fast (Michelle is 16 MB of XML).
const CASES: Record<FixtureName, number> = { live08: 3, live09: 2, live10: 6, michelle: 2, foo: 4, live12: 6 };

type Outcome = { ok: true; set: LiveSet } | { ok: false; code: AlsErrorCode; message: string };

async function outcome(bytes: Uint8Array, what: string): Promise<Outcome> {
  try {
    return { ok: true, set: await parseBytes(bytes, 'damaged.als') };
  } catch (err) {
    // Anything but an AlsError is a reader bug, whatever the input.
    assert.ok(err instanceof AlsError, `${what}: threw ${String((err as Error)?.stack ?? err)}`);
    assert.ok(err.message.startsWith('damaged.als: '), `${what}: message does not name the file: ${err.message}`);
    return { ok: false, code: err.code, message: err.message };
  }
}

function expectCode(o: Outcome, allowed: AlsErrorCode[], what: string): void {
  if (o.ok) {
    assertTreeInvariants(o.set.tree);
    return;
  }
  assert.ok(allowed.includes(o.code), `${what}: unexpected ${o.code} (${o.message})`);
}

describe('§6 damaged copies of the fixtures', () => {
  for (const [index, name] of (Object.keys(FIXTURES) as FixtureName[]).entries()) {
    const seed = SEED + index;
    const n = CASES[name];

    it(`${name}: gzip truncated at random offsets is ALS_TRUNCATED`, { timeout: 60_000 }, async () => {
      const rand = prng(seed);
      const gz = readFileSync(fixturePath(name));
      for (let k = 0; k < n; k++) {
        const cut = 10 + Math.floor(rand() * (gz.length - 18)); // past the header, before the trailer
        const what = `${seedHint(SEED)} +${index} ${name} gzip cut at ${cut}/${gz.length}`;
        const o = await outcome(gz.subarray(0, cut), what);
        assert.ok(!o.ok, `${what}: parsed`);
        assert.equal(o.code, 'ALS_TRUNCATED', `${what}: ${o.message}`);
      }
    });

    it(`${name}: gzip with a flipped bit fails cleanly or parses`, { timeout: 60_000 }, async () => {
      const rand = prng(seed ^ 0x1111);
      const gz = readFileSync(fixturePath(name));
      for (let k = 0; k < n; k++) {
        const copy = Buffer.from(gz);
        const at = Math.floor(rand() * copy.length);
        const bit = Math.floor(rand() * 8);
        copy[at] ^= 1 << bit;
        const what = `${seedHint(SEED)} +${index} ${name} gzip bit ${bit} of byte ${at}/${gz.length} flipped`;
        expectCode(
          await outcome(copy, what),
          ['ALS_BAD_GZIP', 'ALS_TRUNCATED', 'ALS_NOT_GZIP', 'ALS_BAD_XML', 'ALS_NOT_LIVE_SET', 'ALS_TOO_LARGE', 'ALS_EMPTY'],
          what,
        );
      }
    });

    it(`${name}: XML cut inside the root element is ALS_TRUNCATED`, { timeout: 60_000 }, async () => {
      const rand = prng(seed ^ 0x2222);
      const xml = fixtureXml(name);
      const rootStart = xml.indexOf('<LiveSet');
      const rootEnd = xml.lastIndexOf('</Ableton>');
      for (let k = 0; k < n; k++) {
        const cut = rootStart + Math.floor(rand() * (rootEnd - rootStart));
        const what = `${seedHint(SEED)} +${index} ${name} XML cut at ${cut}/${xml.length}`;
        const o = await outcome(gzipText(xml.slice(0, cut)), what);
        assert.ok(!o.ok, `${what}: parsed`);
        assert.equal(o.code, 'ALS_TRUNCATED', `${what}: ${o.message}`);
      }
    });

    it(`${name}: XML with a flipped bit fails cleanly or parses`, { timeout: 60_000 }, async () => {
      const rand = prng(seed ^ 0x3333);
      const xml = Buffer.from(fixtureXml(name), 'utf8');
      for (let k = 0; k < n; k++) {
        const copy = Buffer.from(xml);
        const at = Math.floor(rand() * copy.length);
        const bit = Math.floor(rand() * 8);
        copy[at] ^= 1 << bit;
        const what = `${seedHint(SEED)} +${index} ${name} XML bit ${bit} of byte ${at} flipped`;
        expectCode(await outcome(gzipText(copy.toString('utf8')), what), ['ALS_BAD_XML', 'ALS_TRUNCATED', 'ALS_NOT_LIVE_SET', 'ALS_TOO_LARGE'], what);
      }
    });

    it(`${name}: a flip inside an attribute value that stays valid XML parses`, { timeout: 60_000 }, async () => {
      const rand = prng(seed ^ 0x4444);
      const xml = fixtureXml(name);
      const values = [...xml.matchAll(/ Value="([A-Za-z0-9 ._-]+)"/g)];
      for (let k = 0; k < n; k++) {
        const m = values[Math.floor(rand() * values.length)];
        const at = m.index + 8 + Math.floor(rand() * m[1].length);
        // Flip a low bit and keep the result printable ASCII that needs no escaping.
        let flipped = '';
        for (const bit of [0, 1, 2, 3]) {
          const c = String.fromCharCode(xml.charCodeAt(at) ^ (1 << bit));
          if (/[A-Za-z0-9 ._-]/.test(c)) {
            flipped = c;
            break;
          }
        }
        if (flipped === '') continue;
        const what = `${seedHint(SEED)} +${index} ${name} attribute char ${at} '${xml[at]}' -> '${flipped}'`;
        const o = await outcome(gzipText(xml.slice(0, at) + flipped + xml.slice(at + 1)), what);
        assert.ok(o.ok, `${what}: ${o.ok ? '' : o.message}`);
        assertTreeInvariants(o.set.tree);
      }
    });
  }
});
