// Accumulators for the things the reader builds while their XML element is open. Each one
// turns into tree nodes when its element closes (docs/als.md describes the node shapes).
import { deviceDisplayName } from './device-names.ts';
import type { AlsNode, AttrValue } from './node.ts';
import { put } from './node.ts';
import { cleanText, decodeTimeSignature, fileBase, fileStem } from './values.ts';

/** Creates a node and counts it against the reader's node cap. */
export type MakeNode = (id: string, type: string, attrs: Record<string, AttrValue>, children?: AlsNode[]) => AlsNode;

export type TrackKind = 'audio' | 'midi' | 'group' | 'return' | 'main';

export const TRACK_ELEMENTS: Record<string, TrackKind> = {
  AudioTrack: 'audio',
  MidiTrack: 'midi',
  GroupTrack: 'group',
  ReturnTrack: 'return',
  MasterTrack: 'main',
  MainTrack: 'main',
};

/** A `FileRef`: Live 8–10 store `Name`; Live 11+ store `RelativePath` and `Path`. */
export class FileRefInfo {
  name: string | undefined = undefined;
  relativePath: string | undefined = undefined;
  path: string | undefined = undefined;
  seen = false;

  private best(): string | undefined {
    if (this.name) return this.name;
    if (this.relativePath) return this.relativePath;
    if (this.path) return this.path;
    return undefined;
  }
  stem(): string | undefined {
    const b = this.best();
    return b === undefined ? undefined : fileStem(b) || undefined;
  }
  base(): string | undefined {
    const b = this.best();
    return b === undefined ? undefined : fileBase(b) || undefined;
  }
}

/** Something that holds an ordered device list: a track's chain or a rack chain. */
export interface DeviceList {
  readonly id: string;
  /** Id segments already used in this list (see `uniqueSegment`). */
  deviceKeys: Set<string>;
  devices: AlsNode[];
}

/**
 * The id segment of a device or rack chain inside its list. Live gives every device and
 * chain an `Id` that persists across saves and is unique within its list, but is not its
 * position (a list reads 0, 10, 9, 4, ... after edits). Using it keeps a device's id
 * unchanged when a sibling is inserted, deleted or moved; position ids would shift every
 * later sibling. Missing or repeated Ids (damaged files) fall back to `<prefix>:@<position>`.
 */
export function uniqueSegment(keys: Set<string>, prefix: string, liveIdValue: string | undefined, position: number): string {
  let seg = liveIdValue !== undefined ? `${prefix}:${liveIdValue}` : '';
  if (seg === '' || keys.has(seg)) seg = `${prefix}:@${position}`;
  keys.add(seg);
  return seg;
}

export class TrackBuilder implements DeviceList {
  effectiveName: string | undefined = undefined;
  userName: string | undefined = undefined;
  color: number | undefined = undefined;
  groupRaw: string | undefined = undefined;
  mute: boolean | undefined = undefined;
  solo: boolean | undefined = undefined;
  arm: boolean | undefined = undefined;
  volume: number | undefined = undefined;
  pan: number | undefined = undefined;
  tempo: number | undefined = undefined;
  timeSignature: string | undefined = undefined;
  sends: number[] = [];
  deviceKeys = new Set<string>();
  devices: AlsNode[] = [];
  slots: AlsNode[] = [];
  arrangement: AlsNode[] = [];
  arrangementIds = new Map<string, number>();

  constructor(
    readonly id: string,
    readonly kind: TrackKind,
    readonly element: string,
    /** 1-based position among `LiveSet/Tracks` children (audio/midi/group), or among returns. */
    readonly number: number,
  ) {}

  /** Live 8 stores only `UserName`; an empty one shows Live's default name. */
  name(): string {
    if (this.effectiveName !== undefined && this.effectiveName !== '') return this.effectiveName;
    if (this.userName) return this.userName;
    switch (this.kind) {
      case 'audio':
        return `${this.number}-Audio`;
      case 'midi':
        return `${this.number}-MIDI`;
      case 'group':
        return `${this.number}-Group`;
      case 'return':
        return `${returnLetter(this.number)}-Return`;
      case 'main':
        return this.element === 'MainTrack' ? 'Main' : 'Master';
    }
  }

  toNode(mk: MakeNode): AlsNode {
    const a: Record<string, AttrValue> = { kind: this.kind };
    if (this.kind === 'main') a.element = this.element;
    a.name = this.name();
    put(a, 'color', this.color);
    if (this.groupRaw !== undefined && this.groupRaw !== '-1') a.group = `t:${this.groupRaw}`;
    put(a, 'mute', this.mute);
    put(a, 'solo', this.solo);
    put(a, 'arm', this.arm);
    put(a, 'volume', this.volume);
    put(a, 'pan', this.pan);
    if (this.sends.length > 0) a.sends = this.sends;
    const children = [mk(`${this.id}/devices`, 'devices', {}, this.devices)];
    if (this.kind === 'audio' || this.kind === 'midi' || this.kind === 'group') {
      children.push(mk(`${this.id}/slots`, 'clipslots', {}, this.slots));
    }
    if (this.kind === 'audio' || this.kind === 'midi') {
      children.push(mk(`${this.id}/arrangement`, 'arrangement', {}, this.arrangement));
    }
    return mk(this.id, 'track', a, children);
  }
}

function returnLetter(n: number): string {
  // A..Z, then AA, AB, ... like spreadsheet columns
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s || 'A';
}

export class DeviceBuilder {
  userName: string | undefined = undefined;
  pluginName: string | undefined = undefined;
  pluginFormat: string | undefined = undefined;
  showPresetName: boolean | undefined = undefined;
  preset = new FileRefInfo();
  patch = new FileRefInfo();
  on: boolean | undefined = undefined;
  params: AlsNode[] = [];
  chains: AlsNode[] = [];
  chainKeys = new Set<string>();
  chainCount = 0;
  returnChainCount = 0;
  paramIds = new Map<string, number>();
  macroNames: Map<string, string> | undefined = undefined;

  constructor(
    readonly id: string,
    readonly cls: string,
    /** Element depth of the device element: parameter paths are relative to it. */
    readonly depth: number,
  ) {}

  name(): string {
    if (this.userName) return this.userName;
    if (this.pluginName) return this.pluginName;
    const preset = this.preset.stem();
    if (this.showPresetName && preset) return preset;
    const patch = this.patch.stem();
    if (patch) return patch;
    return deviceDisplayName(this.cls);
  }

  toNode(mk: MakeNode): AlsNode {
    const a: Record<string, AttrValue> = { class: this.cls, name: this.name() };
    put(a, 'on', this.on);
    put(a, 'preset', this.preset.stem());
    put(a, 'plugin', this.pluginName);
    put(a, 'format', this.pluginFormat);
    if (this.macroNames) {
      // Rack macros: `MacroControls.N` params get the display name `MacroDisplayNames.N`.
      for (const p of this.params) {
        const m = /\/p:MacroControls\.(\d+)$/.exec(p.id);
        const label = m ? this.macroNames.get(m[1]) : undefined;
        if (label) p.attrs.name = label;
      }
    }
    return mk(this.id, 'device', a, this.params.length === 0 ? this.chains : [...this.params, ...this.chains]);
  }
}

export class ChainBuilder implements DeviceList {
  effectiveName: string | undefined = undefined;
  userName: string | undefined = undefined;
  color: number | undefined = undefined;
  solo: boolean | undefined = undefined;
  mute: boolean | undefined = undefined;
  volume: number | undefined = undefined;
  pan: number | undefined = undefined;
  receivingNote: number | undefined = undefined;
  deviceKeys = new Set<string>();
  devices: AlsNode[] = [];

  constructor(
    readonly id: string,
    readonly cls: string,
    readonly isReturn: boolean,
    readonly number: number,
  ) {}

  toNode(mk: MakeNode): AlsNode {
    let name = this.effectiveName || this.userName;
    // Live 8 leaves unnamed chains empty; Live shows the first device's name.
    if (!name) name = (this.devices[0]?.attrs.name as string | undefined) ?? `Chain ${this.number}`;
    const a: Record<string, AttrValue> = { class: this.cls, name };
    if (this.isReturn) a.return = true;
    put(a, 'color', this.color);
    put(a, 'mute', this.mute);
    put(a, 'solo', this.solo);
    put(a, 'volume', this.volume);
    put(a, 'pan', this.pan);
    put(a, 'receivingNote', this.receivingNote);
    return mk(this.id, 'chain', a, this.devices);
  }
}

export class ClipBuilder {
  start: number | undefined = undefined;
  end: number | undefined = undefined;
  name: string | undefined = undefined;
  color: number | undefined = undefined;
  disabled: boolean | undefined = undefined;
  loopOn: boolean | undefined = undefined;
  loopStart: number | undefined = undefined;
  loopEnd: number | undefined = undefined;
  notes = 0;
  file = new FileRefInfo();

  constructor(
    readonly kind: 'audio' | 'midi',
    readonly time: number | undefined,
  ) {}

  toNode(mk: MakeNode, id: string): AlsNode {
    const a: Record<string, AttrValue> = { kind: this.kind, name: this.name ?? '' };
    put(a, 'color', this.color);
    put(a, 'time', this.time);
    put(a, 'start', this.start);
    put(a, 'end', this.end);
    if (this.start !== undefined && this.end !== undefined) a.length = this.end - this.start;
    put(a, 'loop', this.loopOn);
    put(a, 'loopStart', this.loopStart);
    put(a, 'loopEnd', this.loopEnd);
    put(a, 'disabled', this.disabled);
    if (this.kind === 'midi') a.notes = this.notes;
    else put(a, 'sample', this.file.base());
    return mk(id, 'clip', a);
  }
}

export class SlotBuilder {
  hasStop: boolean | undefined = undefined;
  clip: ClipBuilder | undefined = undefined;
  constructor(readonly id: string) {}

  toNode(mk: MakeNode): AlsNode {
    const a: Record<string, AttrValue> = {};
    put(a, 'hasStop', this.hasStop);
    return mk(this.id, 'clipslot', a, this.clip ? [this.clip.toNode(mk, `${this.id}/clip`)] : []);
  }
}

export class SceneBuilder {
  name = '';
  color: number | undefined = undefined;
  tempo: number | undefined = undefined;
  tempoEnabled = false;
  timeSignatureId: number | undefined = undefined;
  timeSignatureEnabled = false;
  constructor(readonly index: number) {}

  toNode(mk: MakeNode): AlsNode {
    const a: Record<string, AttrValue> = { name: this.name };
    put(a, 'color', this.color);
    if (this.tempoEnabled) put(a, 'tempo', this.tempo);
    if (this.timeSignatureEnabled) put(a, 'timeSignature', decodeTimeSignature(this.timeSignatureId));
    return mk(`scene:${this.index}`, 'scene', a);
  }
}

export class LocatorBuilder {
  time: number | undefined = undefined;
  name = '';
  constructor(
    readonly liveId: string | undefined,
    readonly order: number,
  ) {}
}

export function cleanName(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : cleanText(raw);
}
