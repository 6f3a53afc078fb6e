// `tidewire als-info FILE [--json]`: reads a Live Set and prints its summary.
import type { Command } from '@tidewire/cli';
import { AlsError } from './als/errors.ts';
import { readAls } from './als/parse.ts';
import type { AlsSummary } from './als/summary.ts';

export interface Output {
  write(text: string): void;
}

const USAGE = [
  'usage: tidewire als-info FILE [--json]',
  '',
  'Reads an Ableton Live Set (.als, Live 8 to 12) and prints what is in it: version, tempo,',
  'tracks with their devices and clips, scenes and locators.',
  '',
  'options:',
  '  --json   print the summary as JSON (stable keys, for scripts)',
].join('\n');

export function createAlsInfoCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return {
    name: 'als-info',
    summary: 'summarize an Ableton Live Set (.als)',
    usage: USAGE,
    async run(args: string[]): Promise<number> {
      let json = false;
      const files: string[] = [];
      for (const a of args) {
        if (a === '--json') json = true;
        else if (a === '--help' || a === '-h') { out.write(`${USAGE}\n`); return 0; }
        else if (a.startsWith('-') && a !== '-') { err.write(`tidewire als-info: unknown option '${a}'\n${USAGE}\n`); return 2; }
        else files.push(a);
      }
      if (files.length !== 1) {
        err.write(`tidewire als-info: expected one FILE, got ${files.length}\n${USAGE}\n`);
        return 2;
      }
      try {
        const set = await readAls(files[0]);
        out.write(json ? `${JSON.stringify(set.summary, null, 2)}\n` : formatSummary(files[0], set.summary));
        return 0;
      } catch (e) {
        if (!AlsError.is(e)) throw e;
        err.write(`tidewire als-info: ${e.code}: ${e.message}\n`);
        return 1;
      }
    },
  };
}

export const alsInfoCommand: Command = createAlsInfoCommand();

/** The human-readable summary (not a stable format: scripts use --json). */
export function formatSummary(file: string, s: AlsSummary): string {
  const lines: string[] = [];
  const counts = { audio: 0, midi: 0, group: 0, return: 0 };
  for (const t of s.tracks) counts[t.type]++;
  lines.push(`${file}`);
  lines.push(`  ${s.creator} (format ${s.majorVersion}, ${s.minorVersion})`);
  lines.push(`  tempo ${s.tempo ?? '?'} BPM, ${s.timeSignature ?? '?'}`);
  lines.push(`  ${s.tracks.length} tracks: ${counts.audio} audio, ${counts.midi} MIDI, ${counts.group} group, ${counts.return} return`);
  if (s.mainTrack) lines.push(`  main track: ${s.mainTrack.name} (${s.mainTrack.element}), ${plural(s.mainTrack.devices, 'device')}`);
  lines.push('');
  const w = Math.min(40, Math.max(4, ...s.tracks.map((t) => t.name.length)));
  lines.push(`  ${'#'.padStart(3)}  ${'type'.padEnd(6)}  ${'name'.padEnd(w)}  devices  session  arrangement  group`);
  s.tracks.forEach((t, i) => {
    const name = t.name.length > w ? `${t.name.slice(0, w - 1)}…` : t.name.padEnd(w);
    const group = t.groupIndex === null ? '' : `${t.groupIndex + 1} ${s.tracks[t.groupIndex].name}`;
    lines.push(`  ${String(i + 1).padStart(3)}  ${t.type.padEnd(6)}  ${name}  ${String(t.devices).padStart(7)}  ${String(t.sessionClips).padStart(7)}  ${String(t.arrangementClips).padStart(11)}  ${group}`.trimEnd());
  });
  lines.push('');
  lines.push(`  ${plural(s.scenes, 'scene')}, ${plural(s.locators.length, 'locator')}`);
  for (const l of s.locators) lines.push(`    ${String(l.time).padStart(10)}  ${l.name}`);
  return `${lines.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
