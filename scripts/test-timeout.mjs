// Preloaded by `npm test` (`--import ./scripts/test-timeout.mjs`): every test(), it() and hook
// without its own `timeout` gets DEFAULT_TEST_TIMEOUT_MS (3 min: the slowest single test here takes
// about a minute on a busy 2-core machine; the ones that need longer say so), so a test that waits for something that never
// comes fails in minutes with "test timed out after …ms" instead of holding CI for its 90.
//
// Why a preload: on node 20 `--test-timeout` given to `node --test` bounds each *file* (measured:
// a hanging test in a file is cancelled only when the whole file reaches the limit), node refuses
// it in NODE_OPTIONS, and node:test has no setting for a default per test. A test's own
// `{ timeout }` and a describe()'s suite timeout still apply unchanged. The wait helpers in the
// tests have their own, shorter deadlines that name what was awaited (TestSocket.until() and
// friends); this is the net under them.
import { createRequire, syncBuiltinESMExports } from 'node:module';

export const DEFAULT_TEST_TIMEOUT_MS = Number(process.env.TIDEWIRE_TEST_TIMEOUT_MS ?? 180_000);

const nodeTest = createRequire(import.meta.url)('node:test');

/** test(name?, options?, fn?) with `timeout` defaulted; skip/todo/only variants kept as they are. */
function withDefaultTimeout(original) {
  const wrapped = function (...args) {
    const fnIndex = args.findIndex((a) => typeof a === 'function');
    const optionsIndex = args.findIndex((a, i) => a !== null && typeof a === 'object' && (fnIndex === -1 || i < fnIndex));
    if (optionsIndex === -1) args.splice(fnIndex === -1 ? args.length : fnIndex, 0, { timeout: DEFAULT_TEST_TIMEOUT_MS });
    else if (args[optionsIndex].timeout === undefined) args[optionsIndex] = { ...args[optionsIndex], timeout: DEFAULT_TEST_TIMEOUT_MS };
    return original.apply(this, args);
  };
  for (const key of ['skip', 'todo', 'only']) if (key in original) wrapped[key] = original[key];
  return wrapped;
}

/** before/after/beforeEach/afterEach(fn, options?) with `timeout` defaulted: a hook can hang too. */
function hookWithDefaultTimeout(original) {
  return function (fn, options) {
    return original.call(this, fn, options?.timeout === undefined ? { ...options, timeout: DEFAULT_TEST_TIMEOUT_MS } : options);
  };
}

nodeTest.test = withDefaultTimeout(nodeTest.test);
nodeTest.it = withDefaultTimeout(nodeTest.it);
for (const hook of ['before', 'after', 'beforeEach', 'afterEach']) nodeTest[hook] = hookWithDefaultTimeout(nodeTest[hook]);
syncBuiltinESMExports();
