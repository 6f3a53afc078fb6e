// Live's display names for device classes (the XML element name), used when a device has
// neither a user name nor a plugin or preset name. Unknown classes show their class name.
const DISPLAY_NAMES: Record<string, string> = {
  AudioEffectGroupDevice: 'Audio Effect Rack',
  InstrumentGroupDevice: 'Instrument Rack',
  MidiEffectGroupDevice: 'MIDI Effect Rack',
  DrumGroupDevice: 'Drum Rack',
  Eq8: 'EQ Eight',
  FilterEQ3: 'EQ Three',
  ChannelEq: 'Channel EQ',
  Compressor2: 'Compressor',
  GlueCompressor: 'Glue Compressor',
  MultibandDynamics: 'Multiband Dynamics',
  StereoGain: 'Utility',
  CrossDelay: 'Simple Delay',
  PingPongDelay: 'Ping Pong Delay',
  FilterDelay: 'Filter Delay',
  AutoFilter: 'Auto Filter',
  AutoPan: 'Auto Pan',
  FrequencyShifter: 'Frequency Shifter',
  Tube: 'Dynamic Tube',
  OriginalSimpler: 'Simpler',
  MultiSampler: 'Sampler',
  UltraAnalog: 'Analog',
  StringStudio: 'Tension',
  LoungeLizard: 'Electric',
  InstrumentVector: 'Wavetable',
  MidiArpeggiator: 'Arpeggiator',
  MidiChord: 'Chord',
  MidiRandom: 'Random',
  MidiScale: 'Scale',
  MidiVelocity: 'Velocity',
  MidiPitcher: 'Pitch',
  MidiNoteLength: 'Note Length',
  MxDeviceMidiEffect: 'Max MIDI Effect',
  MxDeviceAudioEffect: 'Max Audio Effect',
  MxDeviceInstrument: 'Max Instrument',
  PluginDevice: 'Plug-in',
  AuPluginDevice: 'Audio Unit',
};

export function deviceDisplayName(cls: string): string {
  return DISPLAY_NAMES[cls] ?? cls;
}

/** The plug-in format from `PluginDesc`'s child element. */
export function pluginFormat(infoElement: string): string | undefined {
  switch (infoElement) {
    case 'VstPluginInfo':
      return 'vst2';
    case 'Vst3PluginInfo':
      return 'vst3';
    case 'AuPluginInfo':
      return 'au';
    case 'ClapPluginInfo':
      return 'clap';
    default:
      return undefined;
  }
}
