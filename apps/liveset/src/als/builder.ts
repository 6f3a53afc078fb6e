// The SAX-side half of the reader: consumes open/close events and builds the Live Set tree.
// Every open element gets a role from its parent's role and its own name; elements the tree
// does not need (automation envelopes, MIDI notes' neighbours, plugin state, view state)
// are skipped as whole subtrees with a single depth counter, so most of a 16 MB document
// costs one comparison per tag.
import { pluginFormat } from './device-names.ts';
import { AlsError } from './errors.ts';
import {
  ChainBuilder,
  ClipBuilder,
  DeviceBuilder,
  LocatorBuilder,
  SceneBuilder,
  SlotBuilder,
  TRACK_ELEMENTS,
  TrackBuilder,
  cleanName,
  uniqueSegment,
} from './entities.ts';
import type { DeviceList, MakeNode } from './entities.ts';
import { Frame, nextUnique, segmentOf } from './frame.ts';
import type { AlsNode, AttrValue } from './node.ts';
import { node, put } from './node.ts';
import { capId, cleanText, decodeTimeSignature, liveId, toBool, toNumber, toScalar } from './values.ts';

/** Roles of open elements. SKIP subtrees never reach the frame stack. */
const enum R {
  SKIP,
  DOC,
  ABLETON,
  LIVESET,
  LEAF,
  TRACKS,
  TRACK,
  TRACK_NAME,
  TRACK_CHAIN,
  MIXER,
  SENDS,
  SEND_HOLDER,
  PARAM,
  PARAM_AA,
  PARAM_EVENTS,
  PARAM_RANGE,
  MAINSEQ,
  RECORDER,
  SLOTLIST,
  SLOT,
  SLOT_INNER,
  SLOT_VALUE,
  GROUP_SLOTS,
  GROUP_SLOT,
  ARR_TIMEABLE,
  ARR_AA,
  ARR_EVENTS,
  CLIP,
  CLIP_LOOP,
  NOTES,
  KEYTRACKS,
  KEYTRACK,
  KEYNOTES,
  FILEREF_HOLDER,
  FILEREF,
  DEVCHAIN_WRAP,
  DEVICES,
  DEVICE,
  DEV_SCAN,
  PLUGIN_DESC,
  PLUGIN_INFO,
  REF_SCAN,
  BRANCHES,
  BRANCH,
  BRANCH_NAME,
  BRANCH_DC,
  BRANCH_DC2,
  BRANCH_MIXER,
  BRANCH_INFO,
  SCENES_OLD,
  SCENE_OLD,
  SCENES,
  SCENE,
  LOCATORS_OUTER,
  LOCATORS,
  LOCATOR,
}

export interface BuilderLimits {
  maxDepth: number;
  maxNodes: number;
}

type Attrs = Record<string, string>;

// Children of a device that hold no parameters but can be large.
const DEVICE_SKIP = new Set([
  'SourceContext',
  'LockedScripts',
  'Pointee',
  'LomId',
  'LomIdView',
  'IsExpanded',
  'IsFolded',
  'ModulationSourceCount',
  'ParametersListWrapper',
  'LastSelectedTimeableIndex',
  'LastSelectedClipEnvelopeIndex',
  'Annotation',
  'OverwriteProtectionNumber',
  'MpeSettings',
  'ViewData',
  'BranchPresets',
  'DeviceViewState',
]);
// Inside a device: never parameters, sometimes large.
const SCAN_SKIP = new Set([
  'AutomationTarget',
  'ModulationTarget',
  'MidiCCOnOffThresholds',
  'LomId',
  'LomIdView',
  'Buffer',
  'SourceContext',
  'Names',
  'Devices',
  'Branches',
  'ReturnBranches',
  'Preset',
  'Data',
  'KeyMidi',
  'Envelopes',
  'WarpMarkers',
]);

export class LiveSetBuilder {
  private depth = 0;
  private skipFrom = 0;
  private readonly frames: Frame[] = [];
  private nodeCount = 0;

  private readonly project: Record<string, AttrValue> = {};
  private seenLiveSet = false;
  private tracks: AlsNode[] = [];
  private trackIds = new Set<string>();
  private trackCount = 0;
  private returnCount = 0;
  private scenes: AlsNode[] = [];
  private locators: LocatorBuilder[] = [];
  private mainTrack: TrackBuilder | undefined = undefined;

  private track: TrackBuilder | undefined = undefined;
  private readonly devices: DeviceBuilder[] = [];
  private readonly chains: ChainBuilder[] = [];
  private clip: ClipBuilder | undefined = undefined;
  private slot: SlotBuilder | undefined = undefined;
  private scene: SceneBuilder | undefined = undefined;
  private locator: LocatorBuilder | undefined = undefined;

  private readonly mk: MakeNode = (id, type, attrs, children = []) => {
    if (++this.nodeCount > this.limits.maxNodes) {
      throw new AlsError('ALS_TOO_LARGE', `the Live Set has more than ${this.limits.maxNodes} tree nodes`, { fileName: this.fileName });
    }
    return node(id, type, attrs, children);
  };

  constructor(
    private readonly fileName: string,
    private readonly limits: BuilderLimits,
  ) {
    const doc = new Frame();
    doc.role = R.DOC;
    this.frames.push(doc);
  }

  /** True once the root element has opened (tells "no XML at all" from "cut short"). */
  rootOpened = false;

  open(name: string, attrs: Attrs): void {
    const d = ++this.depth;
    if (d > this.limits.maxDepth) {
      throw new AlsError('ALS_TOO_LARGE', `elements nest deeper than ${this.limits.maxDepth} levels (<${cleanText(name, 64)}>)`, { fileName: this.fileName });
    }
    if (this.skipFrom !== 0) return;
    const parent = this.frames[d - 1];
    const role = this.enter(parent, d, name, attrs);
    if (role === R.SKIP) {
      this.skipFrom = d;
      return;
    }
    let f = this.frames[d];
    if (f === undefined) this.frames[d] = f = new Frame();
    f.reset(role, name, attrs.Id);
    this.afterEnter(f, role, name, attrs);
  }

  close(): void {
    const d = this.depth--;
    if (this.skipFrom !== 0) {
      if (d === this.skipFrom) this.skipFrom = 0;
      return;
    }
    const f = this.frames[d];
    if ((f.role as R) !== R.LEAF) this.leave(f, this.frames[d - 1], d);
  }

  /** The role of a new element; side effects only for leaves (they carry a `Value`). */
  private enter(p: Frame, d: number, name: string, a: Attrs): R {
    switch (p.role as R) {
      case R.DOC:
        if (name !== 'Ableton') {
          throw new AlsError('ALS_NOT_LIVE_SET', `not an Ableton Live Set: the XML root is <${cleanText(name, 64)}>, expected <Ableton>`, {
            fileName: this.fileName,
          });
        }
        this.rootOpened = true;
        this.project.creator = cleanText(a.Creator ?? '');
        this.project.majorVersion = cleanText(a.MajorVersion ?? '', 64);
        this.project.minorVersion = cleanText(a.MinorVersion ?? '', 64);
        if (a.SchemaChangeCount !== undefined) this.project.schemaChangeCount = cleanText(a.SchemaChangeCount, 64);
        if (a.Revision !== undefined) this.project.revision = cleanText(a.Revision, 64);
        return R.ABLETON;
      case R.ABLETON:
        if (name === 'LiveSet' && !this.seenLiveSet) {
          this.seenLiveSet = true;
          return R.LIVESET;
        }
        return R.SKIP;
      case R.LIVESET:
        switch (name) {
          case 'Tracks':
            return R.TRACKS;
          case 'MasterTrack':
          case 'MainTrack':
            if (this.mainTrack !== undefined) return R.SKIP;
            return R.TRACK;
          case 'SceneNames':
            return R.SCENES_OLD;
          case 'Scenes':
            return R.SCENES;
          case 'Locators':
            return R.LOCATORS_OUTER;
          default:
            return R.SKIP;
        }
      case R.TRACKS:
        return TRACK_ELEMENTS[name] !== undefined && TRACK_ELEMENTS[name] !== 'main' ? R.TRACK : R.SKIP;
      case R.TRACK: {
        const t = this.track!;
        switch (name) {
          case 'Name':
            return R.TRACK_NAME;
          case 'ColorIndex':
          case 'Color':
            t.color = toNumber(a.Value);
            return R.LEAF;
          case 'TrackGroupId':
            t.groupRaw = liveId(a.Value);
            return R.LEAF;
          case 'DeviceChain':
          case 'MasterChain':
            return R.TRACK_CHAIN;
          case 'Slots':
            return t.kind === 'group' ? R.GROUP_SLOTS : R.SKIP;
          default:
            return R.SKIP;
        }
      }
      case R.TRACK_NAME:
        if (name === 'EffectiveName') this.track!.effectiveName = cleanName(a.Value);
        else if (name === 'UserName') this.track!.userName = cleanName(a.Value);
        else return R.SKIP;
        return R.LEAF;
      case R.TRACK_CHAIN:
        switch (name) {
          case 'Mixer':
            return R.MIXER;
          case 'MainSequencer':
            return this.track!.kind === 'audio' || this.track!.kind === 'midi' ? R.MAINSEQ : R.SKIP;
          case 'DeviceChain':
            return R.DEVCHAIN_WRAP;
          default:
            return R.SKIP; // FreezeSequencer holds a second copy of the clips
        }
      case R.MIXER:
        switch (name) {
          case 'Volume':
          case 'Pan':
          case 'Speaker':
          case 'Tempo':
          case 'TimeSignature':
            return R.PARAM;
          case 'SoloSink':
            this.track!.solo = toBool(a.Value);
            return R.LEAF;
          case 'Sends':
            return R.SENDS;
          default:
            return R.SKIP;
        }
      case R.SENDS:
        return name === 'TrackSendHolder' ? R.SEND_HOLDER : R.SKIP;
      case R.SEND_HOLDER:
        return name === 'Send' ? R.PARAM : R.SKIP;
      case R.PARAM:
      case R.DEV_SCAN:
        switch (name) {
          case 'Manual':
            p.manual = a.Value;
            return R.LEAF;
          case 'ArrangerAutomation':
            return R.PARAM_AA;
          case 'MidiControllerRange':
            return R.PARAM_RANGE;
        }
        if ((p.role as R) === R.PARAM || SCAN_SKIP.has(name)) return R.SKIP;
        // Plug-in and Max parameters carry their display name beside the value element.
        if ((name === 'ParameterName' && p.name.startsWith('Plugin')) || (name === 'Name' && p.name.startsWith('MxD'))) {
          p.label = a.Value;
          return R.LEAF;
        }
        // Max parameters keep their real range here; their MidiControllerRange is 0..1.
        if (p.name.startsWith('MxD') && (name === 'MinValue' || name === 'MaxValue')) {
          if (name === 'MinValue') p.min = a.Value;
          else p.max = a.Value;
          return R.LEAF;
        }
        return R.DEV_SCAN;
      case R.PARAM_AA:
        return name === 'Events' ? R.PARAM_EVENTS : R.SKIP;
      case R.PARAM_EVENTS: {
        // Live 8 has no `Manual`: the value is the first event (at time -63072000).
        const param = this.frames[d - 3];
        if (param.first === undefined && a.Value !== undefined) param.first = a.Value;
        return R.SKIP;
      }
      case R.PARAM_RANGE: {
        const param = this.frames[d - 2];
        if (name === 'Min') param.min = a.Value;
        else if (name === 'Max') param.max = a.Value;
        return R.SKIP;
      }
      case R.MAINSEQ:
        switch (name) {
          case 'ClipSlotList':
            return R.SLOTLIST;
          case 'Sample':
          case 'ClipTimeable':
            return R.ARR_TIMEABLE;
          case 'Recorder':
            return R.RECORDER;
          default:
            return R.SKIP;
        }
      case R.RECORDER:
        if (name !== 'IsArmed') return R.SKIP;
        this.track!.arm = toBool(a.Value);
        return R.LEAF;
      case R.SLOTLIST:
        return name === 'ClipSlot' ? R.SLOT : R.SKIP;
      case R.SLOT:
        if (name === 'ClipSlot') return R.SLOT_INNER;
        if (name === 'HasStop') {
          this.slot!.hasStop = toBool(a.Value);
          return R.LEAF;
        }
        return R.SKIP;
      case R.SLOT_INNER:
        return name === 'Value' ? R.SLOT_VALUE : R.SKIP;
      case R.SLOT_VALUE:
        if ((name === 'AudioClip' || name === 'MidiClip') && this.clip === undefined && this.slot!.clip === undefined) return R.CLIP;
        return R.SKIP;
      case R.GROUP_SLOTS:
        return name === 'GroupTrackSlot' ? R.GROUP_SLOT : R.SKIP;
      case R.ARR_TIMEABLE:
        return name === 'ArrangerAutomation' ? R.ARR_AA : R.SKIP;
      case R.ARR_AA:
        return name === 'Events' ? R.ARR_EVENTS : R.SKIP;
      case R.ARR_EVENTS:
        return (name === 'AudioClip' || name === 'MidiClip') && this.clip === undefined ? R.CLIP : R.SKIP;
      case R.CLIP:
        return this.enterClip(name, a);
      case R.CLIP_LOOP: {
        const c = this.clip!;
        if (name === 'LoopStart') c.loopStart = toNumber(a.Value);
        else if (name === 'LoopEnd') c.loopEnd = toNumber(a.Value);
        else if (name === 'LoopOn') c.loopOn = toBool(a.Value);
        return R.SKIP;
      }
      case R.NOTES:
        return name === 'KeyTracks' ? R.KEYTRACKS : R.SKIP;
      case R.KEYTRACKS:
        return name === 'KeyTrack' ? R.KEYTRACK : R.SKIP;
      case R.KEYTRACK:
        return name === 'Notes' ? R.KEYNOTES : R.SKIP;
      case R.KEYNOTES:
        if (name === 'MidiNoteEvent') this.clip!.notes++;
        return R.SKIP;
      case R.FILEREF_HOLDER:
      case R.REF_SCAN:
        if (name === 'FileRef') return p.fileRef!.seen ? R.SKIP : R.FILEREF;
        if ((p.role as R) === R.REF_SCAN && (name === 'Value' || name.endsWith('Ref'))) return R.REF_SCAN;
        return R.SKIP;
      case R.FILEREF: {
        const ref = p.fileRef!;
        if (name === 'Name') ref.name = a.Value;
        else if (name === 'RelativePath') ref.relativePath = a.Value;
        else if (name === 'Path') ref.path = a.Value;
        return R.SKIP;
      }
      case R.DEVCHAIN_WRAP:
        return name === 'Devices' ? R.DEVICES : R.SKIP;
      case R.DEVICES:
        return R.DEVICE;
      case R.DEVICE:
        return this.enterDevice(name, a);
      case R.PLUGIN_DESC:
        return R.PLUGIN_INFO;
      case R.PLUGIN_INFO: {
        const dev = this.devices[this.devices.length - 1];
        if ((name === 'PlugName' || name === 'Name') && a.Value && dev.pluginName === undefined) {
          dev.pluginName = cleanText(a.Value);
        }
        return R.SKIP;
      }
      case R.BRANCHES:
        return name.endsWith('Branch') ? R.BRANCH : R.SKIP;
      case R.BRANCH: {
        const c = this.chains[this.chains.length - 1];
        switch (name) {
          case 'Name':
            return R.BRANCH_NAME;
          case 'ColorIndex':
          case 'Color':
            c.color = toNumber(a.Value);
            return R.LEAF;
          case 'IsSoloed':
            c.solo = toBool(a.Value);
            return R.LEAF;
          case 'DeviceChain':
            return R.BRANCH_DC;
          case 'MixerDevice':
            return R.BRANCH_MIXER;
          case 'BranchInfo':
          case 'ZoneSettings':
            return R.BRANCH_INFO;
          default:
            return R.SKIP;
        }
      }
      case R.BRANCH_NAME: {
        const c = this.chains[this.chains.length - 1];
        if (name === 'EffectiveName') c.effectiveName = cleanName(a.Value);
        else if (name === 'UserName') c.userName = cleanName(a.Value);
        return R.SKIP;
      }
      case R.BRANCH_INFO:
        if (name === 'ReceivingNote') this.chains[this.chains.length - 1].receivingNote = toNumber(a.Value);
        return R.SKIP;
      case R.BRANCH_DC:
        return R.BRANCH_DC2;
      case R.BRANCH_DC2:
        return name === 'Devices' ? R.DEVICES : R.SKIP;
      case R.BRANCH_MIXER:
        return name === 'Speaker' || name === 'Volume' || name === 'Panorama' ? R.PARAM : R.SKIP;
      case R.SCENES_OLD:
        return name === 'Scene' ? R.SCENE_OLD : R.SKIP;
      case R.SCENE_OLD:
        if (name === 'ColorIndex') this.scene!.color = toNumber(a.Value);
        return R.SKIP;
      case R.SCENES:
        return name === 'Scene' ? R.SCENE : R.SKIP;
      case R.SCENE: {
        const s = this.scene!;
        switch (name) {
          case 'Name':
            s.name = cleanText(a.Value ?? '');
            break;
          case 'Color':
            s.color = toNumber(a.Value);
            break;
          case 'Tempo':
            s.tempo = toNumber(a.Value);
            break;
          case 'IsTempoEnabled':
            s.tempoEnabled = a.Value === 'true';
            break;
          case 'TimeSignatureId':
            s.timeSignatureId = toNumber(a.Value);
            break;
          case 'IsTimeSignatureEnabled':
            s.timeSignatureEnabled = a.Value === 'true';
            break;
        }
        return R.SKIP;
      }
      case R.LOCATORS_OUTER:
        return name === 'Locators' ? R.LOCATORS : R.SKIP;
      case R.LOCATORS:
        return name === 'Locator' ? R.LOCATOR : R.SKIP;
      case R.LOCATOR: {
        const l = this.locator!;
        if (name === 'Time') l.time = toNumber(a.Value);
        else if (name === 'Name') l.name = cleanText(a.Value ?? '');
        return R.SKIP;
      }
      default:
        return R.SKIP;
    }
  }

  private enterClip(name: string, a: Attrs): R {
    const c = this.clip!;
    switch (name) {
      case 'CurrentStart':
        c.start = toNumber(a.Value);
        return R.SKIP;
      case 'CurrentEnd':
        c.end = toNumber(a.Value);
        return R.SKIP;
      case 'Name':
        c.name = cleanText(a.Value ?? '');
        return R.SKIP;
      case 'ColorIndex':
      case 'Color':
        c.color = toNumber(a.Value);
        return R.SKIP;
      case 'Disabled':
        c.disabled = toBool(a.Value);
        return R.SKIP;
      case 'Loop':
        return R.CLIP_LOOP;
      case 'Notes':
        return c.kind === 'midi' ? R.NOTES : R.SKIP;
      case 'SampleRef':
        return c.kind === 'audio' ? R.FILEREF_HOLDER : R.SKIP;
      default:
        return R.SKIP;
    }
  }

  private enterDevice(name: string, a: Attrs): R {
    const dev = this.devices[this.devices.length - 1];
    switch (name) {
      case 'On':
        return R.PARAM;
      case 'UserName':
        dev.userName = cleanName(a.Value);
        return R.LEAF;
      case 'ShouldShowPresetName':
        dev.showPresetName = toBool(a.Value);
        return R.LEAF;
      case 'LastPresetRef':
      case 'PatchSlot':
        return R.REF_SCAN;
      case 'PluginDesc':
        return R.PLUGIN_DESC;
      case 'Branches':
      case 'ReturnBranches':
        return R.BRANCHES;
    }
    if (name.startsWith('MacroDisplayNames.')) {
      if (a.Value) (dev.macroNames ??= new Map()).set(name.slice(18), cleanText(a.Value));
      return R.LEAF;
    }
    return DEVICE_SKIP.has(name) ? R.SKIP : R.DEV_SCAN;
  }

  /** Starts the entity an element stands for, once its frame exists. */
  private afterEnter(f: Frame, role: R, name: string, a: Attrs): void {
    switch (role) {
      case R.TRACK:
        this.startTrack(name, a);
        break;
      case R.SLOT:
      case R.GROUP_SLOT: {
        const t = this.track!;
        this.slot = new SlotBuilder(`${t.id}/s:${t.slots.length}`);
        break;
      }
      case R.CLIP: {
        const time = this.slot === undefined ? toNumber(a.Time) : undefined;
        this.clip = new ClipBuilder(name === 'AudioClip' ? 'audio' : 'midi', time);
        break;
      }
      case R.FILEREF_HOLDER:
        f.fileRef = this.clip!.file;
        break;
      case R.REF_SCAN: {
        const parent = this.frames[this.depth - 1];
        if ((parent.role as R) === R.REF_SCAN) f.fileRef = parent.fileRef;
        else {
          const dev = this.devices[this.devices.length - 1];
          f.fileRef = name === 'PatchSlot' ? dev.patch : dev.preset;
        }
        break;
      }
      case R.FILEREF: {
        const holder = this.frames[this.depth - 1];
        f.fileRef = holder.fileRef;
        f.fileRef!.seen = true;
        break;
      }
      case R.DEVICE: {
        const owner = this.deviceOwner();
        const id = capId(`${owner.id}/${uniqueSegment(owner.deviceKeys, 'd', liveId(a.Id), owner.deviceKeys.size)}`);
        this.devices.push(new DeviceBuilder(id, cleanText(name, 128), this.depth));
        break;
      }
      case R.PLUGIN_INFO: {
        const dev = this.devices[this.devices.length - 1];
        if (dev.pluginFormat === undefined) dev.pluginFormat = pluginFormat(name);
        break;
      }
      case R.BRANCHES:
        f.isReturn = name === 'ReturnBranches';
        break;
      case R.BRANCH: {
        const dev = this.devices[this.devices.length - 1];
        const isReturn = this.frames[this.depth - 1].isReturn;
        const n = isReturn ? dev.returnChainCount++ : dev.chainCount++;
        const seg = uniqueSegment(dev.chainKeys, isReturn ? 'rc' : 'c', liveId(a.Id), n);
        this.chains.push(new ChainBuilder(capId(`${dev.id}/${seg}`), cleanText(name, 128), isReturn, n + 1));
        break;
      }
      case R.SCENE:
      case R.SCENE_OLD:
        this.scene = new SceneBuilder(this.scenes.length);
        if (role === R.SCENE_OLD) this.scene.name = cleanText(a.Value ?? '');
        break;
      case R.LOCATOR:
        this.locator = new LocatorBuilder(liveId(a.Id), this.locators.length);
        break;
    }
  }

  /**
   * The list a device element belongs to: the innermost open rack chain, else the track.
   * Chains only open inside a device's `Branches`, so the innermost chain always encloses
   * the device list being read.
   */
  private deviceOwner(): DeviceList {
    return this.chains.length > 0 ? this.chains[this.chains.length - 1] : this.track!;
  }

  private startTrack(element: string, a: Attrs): void {
    const kind = TRACK_ELEMENTS[element];
    let id: string;
    let number: number;
    if (kind === 'main') {
      id = 't:main';
      number = 0;
    } else {
      const raw = liveId(a.Id);
      id = raw !== undefined ? `t:${raw}` : '';
      // Ids are Live's own; a damaged file could repeat one, so fall back to the position.
      if (id === '' || this.trackIds.has(id) || id === 't:main') id = `t:@${this.trackCount}`;
      number = kind === 'return' ? ++this.returnCount : this.trackCount + 1;
    }
    this.trackIds.add(id);
    this.trackCount += kind === 'main' ? 0 : 1;
    this.track = new TrackBuilder(id, kind, element, number);
    if (kind === 'main') this.mainTrack = this.track;
  }

  private leave(f: Frame, parent: Frame, d: number): void {
    switch (f.role as R) {
      case R.PARAM:
        this.leaveParam(f, parent);
        break;
      case R.DEV_SCAN:
        if (f.manual !== undefined || f.first !== undefined) this.addDeviceParam(f, d);
        break;
      case R.TRACK: {
        const t = this.track!;
        this.tracks.push(t.toNode(this.mk));
        this.track = undefined;
        break;
      }
      case R.SLOT:
      case R.GROUP_SLOT:
        this.track!.slots.push(this.slot!.toNode(this.mk));
        this.slot = undefined;
        break;
      case R.CLIP: {
        const c = this.clip!;
        this.clip = undefined;
        if (this.slot !== undefined) this.slot.clip = c;
        else this.addArrangementClip(c);
        break;
      }
      case R.DEVICE: {
        const dev = this.devices.pop()!;
        this.deviceOwner().devices.push(dev.toNode(this.mk));
        break;
      }
      case R.BRANCH: {
        const chain = this.chains.pop()!;
        this.devices[this.devices.length - 1].chains.push(chain.toNode(this.mk));
        break;
      }
      case R.SCENE:
      case R.SCENE_OLD:
        this.scenes.push(this.scene!.toNode(this.mk));
        this.scene = undefined;
        break;
      case R.LOCATOR:
        this.locators.push(this.locator!);
        this.locator = undefined;
        break;
      case R.ABLETON:
        if (!this.seenLiveSet) {
          throw new AlsError('ALS_NOT_LIVE_SET', 'not an Ableton Live Set: <Ableton> holds no <LiveSet>', { fileName: this.fileName });
        }
        break;
    }
  }

  private leaveParam(f: Frame, parent: Frame): void {
    const raw = f.manual ?? f.first;
    if (raw === undefined) return;
    const v = toScalar(raw);
    const num = typeof v === 'number' ? v : undefined;
    switch (parent.role as R) {
      case R.MIXER: {
        const t = this.track!;
        switch (f.name) {
          case 'Volume':
            t.volume = num;
            break;
          case 'Pan':
            t.pan = num;
            break;
          case 'Speaker':
            if (typeof v === 'boolean') t.mute = !v;
            break;
          case 'Tempo':
            t.tempo = num;
            break;
          case 'TimeSignature':
            t.timeSignature = decodeTimeSignature(num);
            break;
        }
        break;
      }
      case R.SEND_HOLDER:
        if (num !== undefined) this.track!.sends.push(num);
        break;
      case R.DEVICE:
        if (typeof v === 'boolean') this.devices[this.devices.length - 1].on = v;
        break;
      case R.BRANCH_MIXER: {
        const c = this.chains[this.chains.length - 1];
        if (f.name === 'Speaker') {
          if (typeof v === 'boolean') c.mute = !v;
        } else if (f.name === 'Volume') c.volume = num;
        else c.pan = num;
        break;
      }
    }
  }

  private addDeviceParam(f: Frame, d: number): void {
    const dev = this.devices[this.devices.length - 1];
    const first = dev.depth + 1;
    let path = segmentOf(this.frames[first]);
    for (let i = first + 1; i <= d; i++) path += `/${segmentOf(this.frames[i])}`;
    const id = nextUnique(dev.paramIds, capId(`${dev.id}/p:${path}`));
    const container = this.frames[d - 1];
    const given = f.label ?? container.label;
    let name: string;
    if (given !== undefined) name = cleanText(given);
    else {
      // Element names hold no control characters: no cleaning needed.
      name = this.frames[first].name;
      for (let i = first + 1; i <= d; i++) name += `/${this.frames[i].name}`;
    }
    const a: Record<string, AttrValue> = { name, value: toScalar((f.manual ?? f.first)!) };
    const ranged = (container.min !== undefined || container.max !== undefined) && container.name.startsWith('MxD') ? container : f;
    put(a, 'min', toNumber(ranged.min));
    put(a, 'max', toNumber(ranged.max));
    dev.params.push(this.mk(id, 'param', a));
  }

  private addArrangementClip(c: ClipBuilder): void {
    const t = this.track!;
    // Live renumbers clip Ids on save; a clip's start time is what identifies it in a lane.
    const id = nextUnique(t.arrangementIds, capId(`${t.id}/a:${c.time ?? `@${t.arrangement.length}`}`));
    t.arrangement.push(c.toNode(this.mk, id));
  }

  /** The finished tree. Call after the document's root element has closed. */
  finish(): AlsNode {
    const main = this.mainTrack;
    const p: Record<string, AttrValue> = { ...this.project };
    put(p, 'tempo', main?.tempo);
    put(p, 'timeSignature', main?.timeSignature);
    const ordered = this.locators.slice().sort((x, y) => (x.time ?? 0) - (y.time ?? 0) || x.order - y.order);
    const locIds = new Set<string>();
    const locators = ordered.map((l) => {
      let id = l.liveId !== undefined ? `loc:${l.liveId}` : `loc:@${l.time ?? l.order}`;
      if (locIds.has(id)) id = `${id}~${l.order}`;
      locIds.add(id);
      const a: Record<string, AttrValue> = { name: l.name };
      put(a, 'time', l.time);
      return this.mk(id, 'locator', a);
    });
    return this.mk('project', 'project', p, [
      this.mk('tracks', 'tracks', {}, this.tracks),
      this.mk('scenes', 'scenes', {}, this.scenes),
      this.mk('locators', 'locators', {}, locators),
    ]);
  }
}
