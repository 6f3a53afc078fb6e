import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TimelineError, TimelineErrorCodes } from '../src/index.ts';

const doc = readFileSync(new URL('../../../docs/timeline-format.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## 6. Errors'), doc.indexOf('## §W'));

test('§6 errors: every code has a description and a row in docs/timeline-format.md §6, and no other', () => {
  for (const [code, info] of Object.entries(TimelineErrorCodes)) {
    assert.ok(info.description.length > 0, code);
    assert.match(section, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is not documented`);
  }
  const documented = [...section.matchAll(/^\| `(TL_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(TimelineErrorCodes).sort());
});

test('§6 errors: TimelineError carries code, offset and cause; the message names the offset', () => {
  const inner = new Error('x');
  const e = new TimelineError('TL_BAD_CHECKSUM', 'bad', { offset: 42, cause: inner });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'TimelineError');
  assert.equal(e.code, 'TL_BAD_CHECKSUM');
  assert.equal(e.offset, 42);
  assert.equal(e.cause, inner);
  assert.equal(e.message, 'bad (at byte 42)');
  assert.equal(new TimelineError('TL_CLOSED', 'y').offset, undefined);
  assert.equal(new TimelineError('TL_CLOSED', 'y').message, 'y');
  assert.equal(new TimelineError('TL_CLOSED', 'y', { offset: 0 }).message, 'y (at byte 0)');
  assert.equal(new TimelineError('TL_CLOSED', 'y', { offset: 0 }).offset, 0);
  assert.ok(TimelineError.is(e, 'TL_BAD_CHECKSUM'));
  assert.ok(!TimelineError.is(e, 'TL_BAD_MAGIC'));
  assert.ok(!TimelineError.is(inner));
});
