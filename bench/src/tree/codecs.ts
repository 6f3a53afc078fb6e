import type { NodeSnapshot } from '@tidewire/tree';
import type { SnapshotCodec, SystemName } from './system.ts';

/** Each system's snapshot path: what its server sends first and what its client does with it. */
export async function codecFor(system: SystemName, root: NodeSnapshot): Promise<SnapshotCodec> {
  if (system === 'baseline') {
    const m = await import('./baseline.ts');
    return { encode: m.baselineEncode, decodeApply: (s) => m.baselineDecodeApply(s as string) };
  }
  if (system === 'yjs') {
    const m = await import('./yjs.ts');
    const doc = m.buildDoc(root);
    return { encode: () => m.yjsEncode(doc), decodeApply: (b) => m.yjsDecodeApply(b as Uint8Array) };
  }
  return (await import('./tidewire.ts')).tidewireCodec(root);
}
