// What the two .als targets share (docs/fuzzing.md §2.10, §2.11): the reader call with small caps,
// the real fixtures, and a generator of Live-Set-shaped XML with hostile names, values and markup.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import { AlsError, parseAls, type LiveSet } from '@tidewire/liveset';
import { ALS_FIXTURES } from '@tidewire/liveset/fixtures';
import { Tree, TreeError } from '@tidewire/tree';
import { hostileNumber, hostileString } from '../hostile.ts';
import { ContractViolation } from '../target.ts';

/** Caps for fuzzing: a bomb stops at 8 MiB of XML instead of 512 (the logic is the same). */
export const ALS_OPTIONS = { fileName: 'fuzz.als', maxXmlBytes: 8 * 1024 * 1024 } as const;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** parseAls on `gz`; a set that parses must also be a tree every client accepts (docs/als.md). */
export async function readSet(gz: Uint8Array): Promise<LiveSet> {
  const set = await parseAls(once(gz), ALS_OPTIONS);
  try {
    new Tree(set.tree as ConstructorParameters<typeof Tree>[0]);
  } catch (err) {
    if (TreeError.is(err)) throw new ContractViolation(`the Live Set tree is not a valid tree: ${err.code}: ${err.message}`);
    throw err;
  }
  return set;
}

export const documentedAls = (err: unknown): boolean => AlsError.is(err);

/** The two smallest real sets (Live 10 and 12; ~6 KB gzip'd, 48–61 KB of XML). */
export function fixtureGzips(): Uint8Array[] {
  return [ALS_FIXTURES.live12, ALS_FIXTURES.live10].map((p) => new Uint8Array(readFileSync(p)));
}

export function fixtureXmls(): Uint8Array[] {
  return fixtureGzips().map((gz) => new Uint8Array(gunzipSync(gz)));
}

const NAMES = [
  'Tracks',
  'AudioTrack',
  'MidiTrack',
  'GroupTrack',
  'ReturnTrack',
  'MainTrack',
  'MasterTrack',
  'Name',
  'EffectiveName',
  'UserName',
  'DeviceChain',
  'Devices',
  'Mixer',
  'Volume',
  'Pan',
  'Tempo',
  'Manual',
  'Sends',
  'TrackSendHolder',
  'ClipSlotList',
  'ClipSlot',
  'MidiClip',
  'AudioClip',
  'Scenes',
  'Scene',
  'Locators',
  'Locator',
  'Time',
  'Value',
  'TrackGroupId',
  'Color',
  'ColorIndex',
  'PluginDevice',
  'PluginDesc',
  'MxDeviceAudioEffect',
  'Notes',
  'KeyTracks',
  'KeyTrack',
  'MidiNoteEvent',
  'Events',
  'ArrangerAutomation',
  'AutomationEnvelopes',
];

const attrValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('0', '1', '-1', 'true', 'false', '120', '1e308', 'NaN', '-0', '4294967296', '') },
  { weight: 2, arbitrary: hostileNumber.map(String) },
  { weight: 2, arbitrary: hostileString.map(escapeAttr) },
  { weight: 1, arbitrary: fc.constantFrom('&amp;', '&#0;', '&#x110000;', '&#99999999999;', '&unknown;', '&lt;&gt;', '"', '<', '&') },
);

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

const name = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.constantFrom('a:b', 'x-1', '_', '1bad', 'Ä', '') });
const attrs = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('Value', 'Id', 'LomId', 'Value'), name), attrValue), { maxLength: 3 })
  .map((as) => as.map(([k, v]) => ` ${k}="${v}"`).join(''));

/** Elements of a Live Set, with markup hazards: comments, CDATA, PIs, references, stray text. */
const element: fc.Arbitrary<string> = fc.letrec<{ el: string }>((tie) => ({
  el: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    fc.tuple(name, attrs).map(([n, a]) => `<${n}${a} />`),
    fc.tuple(name, attrs, fc.array(tie('el'), { maxLength: 4 })).map(([n, a, kids]) => `<${n}${a}>${kids.join('')}</${n}>`),
    fc.constantFrom('<!-- c -->', '<![CDATA[ x ]]>', '<?pi data?>', 'text', '&amp;', '&#65;', '</Stray>', '<Open>', '<!---->', ']]>'),
  ),
})).el;

/** `depth` nested elements: past the 256 the reader allows. */
const deep = fc.integer({ min: 200, max: 400 }).map((depth) => `${'<Value>'.repeat(depth)}${'</Value>'.repeat(depth)}`);

/** A whole document: a Live Set skeleton around hostile content, or hostile content alone. */
export const xmlLike: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: fc.array(element, { maxLength: 6 }).map((els) => els.join('')) }, { weight: 1, arbitrary: deep }),
    fc.constantFrom('set', 'set', 'set', 'bare', 'doctype', 'other-root'),
    fc.oneof(fc.constant('12.0_12043'), fc.constantFrom('8.1_100', '11.0', '', '99'), hostileString.map(escapeAttr)),
  )
  .map(([inner, shape, minor]) => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    const set = `<Ableton MajorVersion="5" MinorVersion="${minor}" Creator="fuzz"><LiveSet><Tracks><AudioTrack Id="1">${inner}</AudioTrack></Tracks>${inner}</LiveSet></Ableton>`;
    switch (shape) {
      case 'bare':
        return inner;
      case 'doctype':
        return `${head}<!DOCTYPE Ableton [<!ENTITY e "${'x'.repeat(64)}">]>${set}`;
      case 'other-root':
        return `${head}<Root>${inner}</Root>`;
      default:
        return `${head}${set}`;
    }
  });
