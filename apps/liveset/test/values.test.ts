// §4 Untrusted text and ids: names are cleaned and capped, ids stay within the protocol's
// 256 bytes and stay unique in damaged files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { capId, cleanText, decodeTimeSignature, fileStem, toNumber, toScalar } from '../src/als/values.ts';
import { assertTreeInvariants, parseBytes } from './helpers.ts';

function liveSet(tracks: string): Buffer {
  return gzipSync(
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Ableton MajorVersion="5" MinorVersion="11.0_11300" Creator="Test"><LiveSet><Tracks>${tracks}</Tracks></LiveSet></Ableton>`,
    ),
  );
}

describe('§4 values', () => {
  it('strips control characters and caps names at 1024 code units', () => {
    assert.equal(cleanText('a\tb\nc\u0085d\u0000'), 'abcd');
    assert.equal(cleanText('x'.repeat(5000)).length, 1024);
    // A surrogate pair straddling the cap is dropped whole, never split.
    const s = cleanText(`${'x'.repeat(1023)}😀`);
    assert.equal(s, 'x'.repeat(1023));
  });
  it('parses numbers strictly and booleans as Live writes them', () => {
    assert.equal(toNumber('0.0003162277571'), 0.0003162277571);
    assert.equal(toNumber('-1e3'), -1000);
    assert.equal(toNumber('1e999'), undefined);
    assert.equal(toNumber('0x10'), undefined);
    assert.equal(toNumber(''), undefined);
    assert.equal(toScalar('true'), true);
    assert.equal(toScalar('false'), false);
    assert.equal(toScalar('abc'), 'abc');
  });
  it('decodes the time-signature enum (201 = 4/4)', () => {
    assert.equal(decodeTimeSignature(201), '4/4');
    assert.equal(decodeTimeSignature(200), '3/4');
    assert.equal(decodeTimeSignature(303), '7/8');
    assert.equal(decodeTimeSignature(302), '6/8');
    assert.equal(decodeTimeSignature(0), '1/1');
    assert.equal(decodeTimeSignature(-1), undefined);
    assert.equal(decodeTimeSignature(1.5), undefined);
    assert.equal(decodeTimeSignature(99 * 7), undefined);
  });
  it('takes preset and sample names from paths', () => {
    assert.equal(fileStem('Presets/Audio Effects/Audio Effect Rack/Gated Verb Send.adg'), 'Gated Verb Send');
    assert.equal(fileStem('C:\\Users\\me\\Kick.adv'), 'Kick');
    assert.equal(fileStem('Racks/Drum Racks/Drum Rack'), 'Drum Rack');
  });
  it('caps long ids deterministically within 256 bytes', () => {
    const long = `t:1${'/d:123456789/c:123456789'.repeat(30)}`;
    const a = capId(long);
    assert.ok(Buffer.byteLength(a) <= 256);
    assert.equal(capId(long), a);
    assert.notEqual(capId(`${long}/d:1`), a);
    assert.equal(capId('t:1/d:0'), 't:1/d:0');
    const wide = capId(`t:1/p:${'é'.repeat(300)}`);
    assert.ok(Buffer.byteLength(wide) <= 256);
  });
});

describe('§4 hostile and damaged sets', () => {
  it('cleans names from the file', async () => {
    const set = await parseBytes(liveSet(`<AudioTrack Id="1"><Name><EffectiveName Value="a&#9;b&#x85;c${'z'.repeat(3000)}" /></Name></AudioTrack>`));
    const name = set.summary.tracks[0].name;
    assert.equal(name.length, 1024);
    assert.ok(name.startsWith('abczzz'));
  });
  it('falls back to positions when Live Ids repeat or are missing', async () => {
    const dev = (id: string) => `<Eq8${id}><On><Manual Value="true" /></On></Eq8>`;
    const chain = `<DeviceChain><DeviceChain><Devices>${dev(' Id="3"')}${dev(' Id="3"')}${dev('')}</Devices></DeviceChain></DeviceChain>`;
    const set = await parseBytes(liveSet(`<AudioTrack Id="7">${chain}</AudioTrack><AudioTrack Id="7">${chain}</AudioTrack><MidiTrack>${chain}</MidiTrack>`));
    const ids = assertTreeInvariants(set.tree);
    assert.ok(ids.has('t:7/d:3') && ids.has('t:7/d:@1') && ids.has('t:7/d:@2'));
    assert.ok(ids.has('t:@1/d:3') && ids.has('t:@2/d:3'));
    assert.deepEqual(
      set.summary.tracks.map((t) => t.name),
      ['1-Audio', '2-Audio', '3-MIDI'],
    );
  });
  it('keeps ids short and unique in racks nested 30 deep', async () => {
    let inner = '<Eq8 Id="123456789"><Gain><Manual Value="1" /></Gain></Eq8>';
    for (let i = 0; i < 30; i++) {
      inner = `<AudioEffectGroupDevice Id="123456789"><Branches><AudioEffectBranch Id="123456789"><DeviceChain><AudioToAudioDeviceChain><Devices>${inner}</Devices></AudioToAudioDeviceChain></DeviceChain></AudioEffectBranch></Branches></AudioEffectGroupDevice>`;
    }
    const set = await parseBytes(liveSet(`<AudioTrack Id="1"><DeviceChain><DeviceChain><Devices>${inner}</Devices></DeviceChain></DeviceChain></AudioTrack>`));
    const ids = assertTreeInvariants(set.tree);
    const long = [...ids.keys()].filter((id) => id.includes('~h'));
    assert.ok(long.length > 0, 'deep ids were capped');
    assert.equal(set.summary.tracks[0].devices, 1);
  });
});
