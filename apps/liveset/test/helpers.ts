// Shared test helpers: fixture paths, a seeded PRNG, tree invariants.
// Fixtures live in apps/liveset/fixtures/ (src/fixtures.ts names them).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AlsNode } from '../src/index.ts';
import { parseAls } from '../src/index.ts';
import { ALS_FIXTURE_DIR, ALS_FIXTURES, negativeFixture } from '../src/fixtures.ts';
import { seededRandom } from '@tidewire/random';

/** Seeded test-case chooser (kept under its old name for the tests that use it). */
export const prng = seededRandom;

export const FIXTURE_DIR = ALS_FIXTURE_DIR;

/** The fixtures by short name (apps/liveset/fixtures/als/README.md lists their facts). */
export const FIXTURES = ALS_FIXTURES;

export type FixtureName = keyof typeof FIXTURES;

export function fixturePath(name: FixtureName): string {
  return FIXTURES[name];
}

export function negativePath(file: string): string {
  return negativeFixture(file);
}

const xmlCache = new Map<FixtureName, string>();
/** The fixture's XML text (tests that edit a set work on the text, then re-gzip it). */
export function fixtureXml(name: FixtureName): string {
  let xml = xmlCache.get(name);
  if (xml === undefined) {
    xml = gunzipSync(readFileSync(fixturePath(name))).toString('utf8');
    xmlCache.set(name, xml);
  }
  return xml;
}

export function gzipText(xml: string): Buffer {
  return gzipSync(Buffer.from(xml, 'utf8'), { level: 1 });
}

/** Parses bytes held in memory, delivered in chunks of `chunkSize`. */
export function parseBytes(
  bytes: Uint8Array,
  fileName = 'test.als',
  chunkSize = 64 * 1024,
  opts: { maxXmlBytes?: number; maxDepth?: number; maxNodes?: number; maxTokenChars?: number } = {},
) {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(bytes.length, i + chunkSize));
  }
  return parseAls(chunks(), { fileName, ...opts });
}

const NODE_TYPES = new Set([
  'project',
  'tracks',
  'track',
  'devices',
  'device',
  'param',
  'chain',
  'clipslots',
  'clipslot',
  'arrangement',
  'clip',
  'scenes',
  'scene',
  'locators',
  'locator',
]);

/** What every tree the reader returns must satisfy (docs/als.md "Invariants"). */
export function assertTreeInvariants(tree: AlsNode): Map<string, AlsNode> {
  const byId = new Map<string, AlsNode>();
  const stack = [tree];
  while (stack.length > 0) {
    const n = stack.pop()!;
    assert.equal(typeof n.id, 'string');
    assert.ok(n.id.length > 0 && Buffer.byteLength(n.id) <= 256, `id length: ${n.id}`);
    assert.ok(!byId.has(n.id), `duplicate id ${n.id}`);
    byId.set(n.id, n);
    assert.ok(NODE_TYPES.has(n.type), `unknown node type ${n.type}`);
    for (const [k, v] of Object.entries(n.attrs)) {
      assert.ok(v !== null && v !== undefined, `${n.id}.${k} is ${String(v)}`);
      if (typeof v === 'number') assert.ok(Number.isFinite(v), `${n.id}.${k} = ${v}`);
      // eslint-disable-next-line no-control-regex -- asserts that no control character survived
      if (typeof v === 'string') assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(v) && v.length <= 1024, `${n.id}.${k} not clean`);
    }
    stack.push(...n.children);
  }
  return byId;
}

export function childOfType(n: AlsNode, type: string): AlsNode {
  const c = n.children.find((x) => x.type === type);
  assert.ok(c, `${n.id} has no ${type} child`);
  return c;
}
