// A second reporter for `npm test` (beside TAP): after the last file, repeats every failed test
// with its file, its suite path and its error. CI keeps only part of a long log, and a failure in
// the middle of 1,600 TAP verdicts was lost twice that way; this summary is the log's last lines.
import { inspect } from 'node:util';

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* failureSummary(source) {
  const failures = [];
  /** Names of the suites enclosing the current test, by nesting level. */
  const path = [];
  // Each test's own `file` names scripts/test-timeout.mjs (the wrapper that called node:test), so the
  // file is the one the runner last dequeued: files run one at a time (--test-concurrency=1).
  let currentFile = '(unknown file)';
  for await (const event of source) {
    if (event.type === 'test:dequeue' && event.data.nesting === 0 && event.data.name === event.data.file) {
      currentFile = event.data.file;
    } else if (event.type === 'test:start') {
      path.length = event.data.nesting;
      path.push(event.data.name);
    } else if (event.type === 'test:fail') {
      const { name, nesting, details } = event.data;
      const error = details?.error;
      // A suite fails when one of its tests does; its own line adds nothing.
      if (error?.failureType === 'subtestsFailed') continue;
      const where = [...path.slice(0, nesting), name].join(' › ');
      const cause = error?.cause ?? error;
      const text = cause instanceof Error ? (cause.stack ?? cause.message) : inspect(cause, { depth: 4 });
      failures.push(`✖ ${currentFile}\n  ${where}\n  ${String(text).split('\n').slice(0, 12).join('\n  ')}`);
    }
  }
  if (failures.length === 0) return;
  yield `\n# ${failures.length} failed test${failures.length === 1 ? '' : 's'}:\n${failures.join('\n\n')}\n`;
}
