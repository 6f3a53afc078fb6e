// `tidewire als-info FILE [--json]`: reads a Live Set and prints its summary.
import { defineCommand } from '@tidewire/cli';
import type { Command, Output } from '@tidewire/cli';
import { AlsError } from './als/errors.ts';
import { readAls } from './als/parse.ts';
import type { AlsSummary } from './als/summary.ts';

export type { Output };

export function createAlsInfoCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return defineCommand({
    name: 'als-info',
    summary: 'summarize an Ableton Live Set (.als)',
    synopsis: ['FILE [--json]'],
    description: [
      'Reads an Ableton Live Set (.als, Live 8 to 12) and prints what is in it: version, tempo,',
      'tracks with their devices and clips, scenes and locators.',
    ].join('\n'),
    options: {
      json: { type: 'boolean', help: 'print the summary as JSON (stable keys, for scripts)' },
    },
    positionals: { name: 'FILE', min: 1, max: 1 },
    io: { out, err },
    async run({ values, positionals: [file] }) {
      try {
        const set = await readAls(file!);
        out.write(values.json ? `${JSON.stringify(set.summary, null, 2)}\n` : formatSummary(file!, set.summary));
        return 0;
      } catch (e) {
        if (!AlsError.is(e)) throw e;
        err.write(`tidewire als-info: ${e.code}: ${e.message}\n`);
        return 1;
      }
    },
  });
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
    lines.push(
      `  ${String(i + 1).padStart(3)}  ${t.type.padEnd(6)}  ${name}  ${String(t.devices).padStart(7)}  ${String(t.sessionClips).padStart(7)}  ${String(t.arrangementClips).padStart(11)}  ${group}`.trimEnd(),
    );
  });
  lines.push('');
  lines.push(`  ${plural(s.scenes, 'scene')}, ${plural(s.locators.length, 'locator')}`);
  for (const l of s.locators) lines.push(`    ${String(l.time).padStart(10)}  ${l.name}`);
  return `${lines.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
