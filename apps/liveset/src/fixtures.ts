// Where this app's Live Sets are on disk: the bundled set `tidewire serve` mirrors and the
// fixtures its tests and benchmarks read (apps/liveset/fixtures/, licences and origins in the
// READMEs there). A documented export (`@tidewire/liveset/fixtures`) so the benchmarks and the
// composition root name these files without reaching into this app's folders by relative path.
import { fileURLToPath } from 'node:url';

/** apps/liveset/fixtures/als/: real Live Sets saved by Live 8.1 to 12.0 (see its README.md). */
export const ALS_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/als/', import.meta.url));

/**
 * The Live Set `tidewire serve` mirrors: node-als-parser's Michelle.als (Live 11.3.21, MIT).
 * It is also the `michelle` fixture, kept once (fixtures/als/README.md says so).
 */
export const BUNDLED_SET = fileURLToPath(new URL('../fixtures/Michelle.als', import.meta.url));

/** Every fixture by short name → absolute path. */
export const ALS_FIXTURES = {
  live08: `${ALS_FIXTURE_DIR}live08.1.4_dawtool_live8-patch-markers-auto.als`,
  live09: `${ALS_FIXTURE_DIR}live09.7.1_dawtool_live9-patch-2-0point.als`,
  live10: `${ALS_FIXTURE_DIR}live10.1.7_dawtool_example-120.als`,
  michelle: BUNDLED_SET,
  foo: `${ALS_FIXTURE_DIR}live11.3.35_node-als-parser_Foo.als`,
  live12: `${ALS_FIXTURE_DIR}live12.0b16_dawtool_L12-automation.als`,
} as const;

export type AlsFixtureName = keyof typeof ALS_FIXTURES;

/** A file that must be rejected (fixtures/als/negative/: `dawtool_empty.als`, `dawtool_junk.als`). */
export function negativeFixture(file: string): string {
  return `${ALS_FIXTURE_DIR}negative/${file}`;
}
