// Target als-xml (docs/fuzzing.md §2.11): the XML inside a .als file. The fuzzer mutates or
// generates the XML text; the target gzips it (level 1) and runs the whole reader (parseAls:
// gunzip → UTF-8 → saxes → LiveSetBuilder), so XML damage gets past the gzip layer every time.
import { gzipSync } from 'node:zlib';
import type { FuzzTarget } from '../target.ts';
import { documentedAls, fixtureXmls, readSet, xmlLike } from './als-common.ts';

export const alsXml: FuzzTarget = {
  name: 'als-xml',
  what: 'parseAls of apps/liveset on one Live Set XML document (gzip-wrapped by the harness)',
  async: true,
  seeds: fixtureXmls,
  generate: () => xmlLike.map((xml) => new TextEncoder().encode(xml)),
  decode: (input) => readSet(gzipSync(input, { level: 1 })),
  documented: documentedAls,
};
