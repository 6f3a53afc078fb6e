// Every fuzz target (docs/fuzzing.md §2), in the order `npm run fuzz -- all` runs them.
import type { FuzzTarget } from '../target.ts';
import { alsGzip } from './als-gzip.ts';
import { alsXml } from './als-xml.ts';
import { csv } from './csv.ts';
import { f1Udp } from './f1-udp.ts';
import { osc } from './osc.ts';
import { protocolFrame } from './protocol-frame.ts';
import { timelineFile } from './timeline-file.ts';
import { timelineSegment } from './timeline-segment.ts';
import { treeColumns } from './tree-columns.ts';
import { treeOps } from './tree-ops.ts';
import { treeSnapshot } from './tree-snapshot.ts';

export const TARGETS: readonly FuzzTarget[] = [
  protocolFrame,
  treeOps,
  treeSnapshot,
  treeColumns,
  timelineSegment,
  timelineFile,
  osc,
  f1Udp,
  csv,
  alsGzip,
  alsXml,
];

export function targetNamed(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
