// docs/base.md §1: coded errors built with defineErrors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineErrors, isCodedError } from '../src/index.ts';

const Codes = {
  DEMO_BAD_INPUT: { description: 'the input was bad', status: 400 },
  DEMO_GONE: { description: 'it went away', status: 410 },
} as const;
const demo = defineErrors('DemoError', Codes);
class DemoError extends demo.Error {}
class OffsetError extends demo.Error {
  constructor(readonly offset: number) {
    super('DEMO_BAD_INPUT', `bad at ${offset}`);
  }
}

test('§1 errors: an error carries its code, message, name and cause', () => {
  const cause = new Error('root');
  const err = new DemoError('DEMO_GONE', 'the thing went away', { cause });
  assert.equal(err.code, 'DEMO_GONE');
  assert.equal(err.message, 'the thing went away');
  assert.equal(err.name, 'DemoError');
  assert.equal(err.cause, cause);
  assert.ok(err instanceof Error);
  assert.ok(isCodedError(err));
  assert.equal(isCodedError(new Error('plain')), false);
});

test('§1 errors: is() matches the registry and, when given, the code', () => {
  const err = new DemoError('DEMO_GONE', 'x');
  assert.equal(demo.Error.is(err), true);
  assert.equal(demo.Error.is(err, 'DEMO_GONE'), true);
  assert.equal(demo.Error.is(err, 'DEMO_BAD_INPUT'), false);
  assert.equal(demo.Error.is(new Error('x')), false);
  const other = defineErrors('OtherError', { OTHER_X: { description: 'x' } });
  assert.equal(demo.Error.is(new other.Error('OTHER_X', 'x')), false);
});

test('§1 errors: a subclass keeps its own name and fields', () => {
  const err = new OffsetError(12);
  assert.equal(err.name, 'OffsetError');
  assert.equal(err.offset, 12);
  assert.equal(err.code, 'DEMO_BAD_INPUT');
});

test('§1 errors: is() called on a subclass matches that subclass only', () => {
  const sub = new OffsetError(3);
  assert.equal(OffsetError.is(sub), true);
  assert.equal(OffsetError.is(sub, 'DEMO_BAD_INPUT'), true);
  assert.equal(OffsetError.is(new DemoError('DEMO_BAD_INPUT', 'x')), false);
  assert.equal(demo.Error.is(sub), true);
  const e: unknown = sub;
  if (OffsetError.is(e)) assert.equal(e.offset, 3); // narrowed to OffsetError: its fields are typed
});

test('§1 errors: isCode and info read the registry', () => {
  assert.equal(demo.isCode('DEMO_GONE'), true);
  assert.equal(demo.isCode('toString'), false);
  assert.equal(demo.isCode(3), false);
  assert.equal(demo.info('DEMO_GONE').status, 410);
});
