// Preloaded by `npm test` (`--import ./scripts/test-end.mjs`): ends a test file's process once all of
// its tests and hooks are done, even when a test left a socket, timer or child open, and only after
// the runner had time to report every verdict.
//
// Why not `--test-force-exit`: on node 20 with several files that flag exits the child while the
// reporter still holds the last events, so the tail of a file's verdicts never reaches the parent
// (nodejs/node#64833: a clean run reported 1,566 of 1,581 tests, the last three suites of
// frames.test.ts missing; a failure in that tail would lose its name and error). Here the root's
// `after` hook starts an unref'd grace timer: a file that ends by itself is not delayed at all, a file
// that leaks a handle exits GRACE_MS later with everything reported.
import { after } from 'node:test';

const GRACE_MS = 3_000;

after(() => {
  setTimeout(() => {
    process.stderr.write(`[test-end] ${process.argv[1] ?? 'test file'}: still running ${GRACE_MS} ms after its last test (a leaked handle?); exiting\n`);
    process.exit();
  }, GRACE_MS).unref();
});
