// `tidewire studio <command>` (docs/studio.md §6). `render` turns a script file into a video with
// the same pipeline the server's workers run, without the UI or the queue. Options are an
// @tidewire/cli table (the same parser, usage layout and error format as every tidewire command);
// each subcommand is a Command of its own, and adding one (the queue's `worker`) is one row in
// SUBCOMMANDS. A separate entry (`@tidewire/studio/cli`) so the package's main entry stays free of
// Node APIs for a browser UI.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { checkOutputPath, defineCommand, defineGroup, integer, number, oneOf, parseCommandArgs, UsageError } from '@tidewire/cli';
import type { ArgsSpec, Command, OptionsTable, ParsedArgs } from '@tidewire/cli';
import { StudioError } from './errors.ts';
import { FORMATS, type Background, type Format, type Stage } from './model.ts';
import { BUILTIN_BACKGROUNDS } from './render/backgrounds.ts';
import { renderStory } from './render/pipeline.ts';
import { storyFromScript } from './script.ts';
import { createWorkerCommand } from './queue/worker-command.ts';
import { workerProcessHandler } from './server/worker.ts';

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

export interface RenderArgs {
  script: string;
  out: string;
  thumbnail: string;
  voice: string;
  rate: number;
  pitch: number;
  format: Format;
  background: { kind: 'file'; path: string } | { kind: 'color'; color: string } | { kind: 'builtin'; name: string };
  music?: string;
  musicVolume: number;
  gap: number;
  captionSize: number;
  captionPosition: 'top' | 'middle' | 'bottom';
  highlight: boolean;
  zoom: boolean;
  timeoutMs: number;
}

const BUILTIN_NAMES = BUILTIN_BACKGROUNDS.map((b) => b.name);

/** `--background`: builtin:NAME (one we can make), #rrggbb, or anything else is a file path. */
function background(raw: string, flag: string): RenderArgs['background'] {
  if (raw.startsWith('builtin:')) {
    const name = raw.slice('builtin:'.length);
    if (!BUILTIN_NAMES.includes(name)) throw new UsageError(`${flag} builtin must be one of ${BUILTIN_NAMES.join(', ')}, got '${name}'`);
    return { kind: 'builtin', name };
  }
  if (raw.startsWith('#')) {
    if (!/^#[0-9a-fA-F]{6}$/.test(raw)) throw new UsageError(`${flag} colour must be #rrggbb, got '${raw}'`);
    return { kind: 'color', color: raw };
  }
  return { kind: 'file', path: resolve(raw) };
}

/** `--out`: the container is always MP4, so the name must say so. */
function mp4(raw: string, flag: string): string {
  if (extname(raw).toLowerCase() !== '.mp4') throw new UsageError(`${flag} must name a .mp4 file, got '${raw}'`);
  return raw;
}

const RENDER_OPTIONS = {
  out: { type: 'string', value: 'FILE', parse: mp4, help: 'the MP4 to write (appears only when complete)' },
  thumbnail: { type: 'string', value: 'FILE', help: 'the JPEG thumbnail (default: the MP4 path with .jpg)' },
  voice: { type: 'string', value: 'V', default: 'en', help: 'espeak-ng voice (default en; see `espeak-ng --voices`)' },
  rate: { type: 'string', value: 'WPM', default: '170', parse: integer(80, 450), help: 'words per minute, 80–450 (default 170)' },
  pitch: { type: 'string', value: 'P', default: '50', parse: integer(0, 99), help: '0–99 (default 50)' },
  format: { type: 'string', value: 'WxH', default: '1080x1920', parse: oneOf(FORMATS), help: `${FORMATS.join(', ')} (default 1080x1920)` },
  background: {
    type: 'string',
    value: 'BG',
    default: 'builtin:dusk',
    parse: background,
    help: `an image or video FILE, #rrggbb, or builtin:NAME\n(builtins: ${BUILTIN_NAMES.join(', ')}; default builtin:dusk)`,
  },
  music: { type: 'string', value: 'FILE', help: 'a music bed, ducked under the voice' },
  'music-volume': { type: 'string', value: 'V', default: '0.3', parse: number(0, 2), help: '0–2 (default 0.3)' },
  gap: { type: 'string', value: 'SECONDS', default: '0.4', parse: number(0, 10), help: 'silence between scenes, 0–10 (default 0.4)' },
  'caption-size': {
    type: 'string',
    value: 'PX',
    default: '64',
    parse: integer(8, 400),
    help: 'caption font size at the output resolution, 8–400 (default 64)',
  },
  'caption-position': {
    type: 'string',
    value: 'P',
    default: 'bottom',
    parse: oneOf(['top', 'middle', 'bottom']),
    help: 'top, middle or bottom (default bottom)',
  },
  'no-highlight': { type: 'boolean', help: 'no word-by-word highlight' },
  zoom: { type: 'boolean', help: 'a slow push-in on still backgrounds' },
  timeout: { type: 'string', value: 'SECONDS', default: '600', parse: number(1, 86_400), help: 'give up after this long, 1–86400 (default 600)' },
} as const satisfies OptionsTable;

const RENDER_ARGS: ArgsSpec<typeof RENDER_OPTIONS> = {
  name: 'studio render',
  synopsis: ['SCRIPT.txt --out VIDEO.mp4 [options]'],
  description: [
    'Renders a script (paragraphs become scenes) to a narrated, captioned H.264/AAC MP4 and a JPEG',
    'thumbnail, with the same pipeline as the studio server. Progress goes to stderr.',
  ].join('\n'),
  options: RENDER_OPTIONS,
  positionals: { name: 'SCRIPT', min: 1, max: 1 },
};

/** The parsed table as what `render` needs: --out required, paths absolute, the thumbnail defaulted. */
function checkRender({ values: v, positionals: [script] }: ParsedArgs<typeof RENDER_OPTIONS>): RenderArgs {
  if (v.out === undefined) throw new UsageError('--out VIDEO.mp4 is required');
  return {
    script: resolve(script!),
    out: resolve(v.out),
    thumbnail: resolve(v.thumbnail ?? v.out.replace(/\.mp4$/i, '.jpg')),
    voice: v.voice,
    rate: v.rate,
    pitch: v.pitch,
    format: v.format,
    background: v.background,
    music: v.music === undefined ? undefined : resolve(v.music),
    musicVolume: v['music-volume'],
    gap: v.gap,
    captionSize: v['caption-size'],
    captionPosition: v['caption-position'],
    highlight: !v['no-highlight'],
    zoom: v.zoom,
    timeoutMs: v.timeout * 1000,
  };
}

/** Parses `render`'s arguments; throws UsageError (exit 2) on anything malformed. */
export function parseRenderArgs(args: string[]): RenderArgs | 'help' {
  const parsed = parseCommandArgs(RENDER_ARGS, args);
  return parsed === 'help' ? 'help' : checkRender(parsed);
}

/** Where builtin backgrounds are cached between runs ($XDG_CACHE_HOME/tidewire/studio/backgrounds). */
export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tidewire', 'studio', 'backgrounds');
}

async function mustExist(path: string, what: string): Promise<void> {
  try {
    if (!(await stat(path)).isFile()) throw new StudioError('STUDIO_NOT_FOUND', `${what} ${path} is not a file`);
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw new StudioError('STUDIO_NOT_FOUND', `${what} ${path} does not exist`, { cause: e });
  }
}

function progressPrinter(err: Output): (stage: Stage, fraction: number) => void {
  let last = '';
  return (stage, fraction) => {
    const steps = err.isTTY ? 50 : 4;
    const key = `${stage}:${Math.floor(fraction * steps)}`;
    if (key === last) return;
    last = key;
    const line = `${stage.padEnd(9)} ${`${Math.round(fraction * 100)}%`.padStart(4)}`;
    err.write(err.isTTY ? `\r${line}${stage === 'thumbnail' && fraction >= 1 ? '\n' : ''}` : `${line}\n`);
  };
}

export function createStudioRenderCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return defineCommand({
    ...RENDER_ARGS,
    summary: 'render a script file to a narrated, captioned MP4 (no server)',
    io: { out, err },
    check: checkRender,
    async run(a) {
      const state = await mkdtemp(join(tmpdir(), 'tidewire-studio-'));
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        // Refused now rather than after minutes of rendering (and again when the files are renamed into place).
        await checkOutputPath(a.out);
        await checkOutputPath(a.thumbnail);
        let script: string;
        try {
          script = await readFile(a.script, 'utf8');
        } catch (e) {
          throw new StudioError('STUDIO_NOT_FOUND', `cannot read the script ${a.script}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
            cause: e,
          });
        }
        const assets = new Map<string, string>();
        let background: Background;
        if (a.background.kind === 'file') {
          await mustExist(a.background.path, 'the background');
          assets.set('background', a.background.path);
          background = { kind: 'asset', assetId: 'background' };
        } else {
          background = a.background;
        }
        if (a.music) {
          await mustExist(a.music, 'the music');
          assets.set('music', a.music);
        }
        const story = storyFromScript(script, {
          format: a.format,
          voice: { voice: a.voice, rate: a.rate, pitch: a.pitch },
          background,
          captions: { size: a.captionSize, position: a.captionPosition, wordHighlight: a.highlight },
          gapSeconds: a.gap,
          zoom: a.zoom,
        });
        if (a.music) story.music = { assetId: 'music', volume: a.musicVolume };
        const started = performance.now();
        const result = await renderStory(story, {
          outPath: a.out,
          thumbnailPath: a.thumbnail,
          workDir: join(state, 'work'),
          stateDir: state,
          cacheDir: defaultCacheDir(),
          assets: (id) => assets.get(id),
          signal: controller.signal,
          timeoutMs: a.timeoutMs,
          onProgress: progressPrinter(err),
        });
        const seconds = (performance.now() - started) / 1000;
        out.write(
          `wrote ${result.outPath}: ${story.scenes.length} scenes, ${result.durationSeconds.toFixed(2)} s, ${a.format}, ${result.bytes} bytes ` +
            `in ${seconds.toFixed(1)} s (${(seconds / result.durationSeconds).toFixed(2)}× real time); thumbnail ${result.thumbnailPath}\n`,
        );
        return 0;
      } catch (e) {
        if (e instanceof StudioError) {
          err.write(`tidewire studio render: ${e.code}: ${e.message}\n`);
          return 1;
        }
        throw e;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await rm(state, { recursive: true, force: true });
      }
    },
  });
}

/** `tidewire studio worker`: the server's own render job handler, on a Redis queue. */
export function createStudioWorkerCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return createWorkerCommand({ makeHandler: (a) => workerProcessHandler(a.dataDir, a.stateDir) }, { out, err });
}

/** The `tidewire studio` subcommands, one row each. */
export const SUBCOMMANDS: ((out: Output, err: Output) => Command)[] = [createStudioRenderCommand, createStudioWorkerCommand];

export function createStudioCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return defineGroup({
    name: 'studio',
    summary: 'Media Studio: render scripts to narrated, captioned videos; run render workers',
    commands: SUBCOMMANDS.map((make) => make(out, err)),
    io: { out, err },
  });
}

/** `tidewire studio <render|…>`: register this one in apps/tidewire/src/main.ts. */
export const studioCommand: Command = createStudioCommand();
