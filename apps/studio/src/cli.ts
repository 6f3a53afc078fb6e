// `tidewire studio <command>` (docs/studio.md §6). `render` turns a script file into a video with
// the same pipeline the server's workers run, without the UI or the queue. Each subcommand is a
// Command of its own; adding one (the queue's `worker`) is one row in SUBCOMMANDS.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseOrUsage, UsageError, type Command } from '@tidewire/cli';
import { StudioError } from './errors.ts';
import { FORMATS, type Background, type Format, type Stage } from './model.ts';
import { BUILTIN_BACKGROUNDS } from './render/backgrounds.ts';
import { renderStory } from './render/pipeline.ts';
import { storyFromScript } from './script.ts';

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

const RENDER_USAGE = [
  'usage: tidewire studio render SCRIPT.txt --out VIDEO.mp4 [options]',
  '',
  'Renders a script (paragraphs become scenes) to a narrated, captioned H.264/AAC MP4 and a JPEG',
  'thumbnail, with the same pipeline as the studio server. Progress goes to stderr.',
  '',
  'options:',
  '  --out FILE              the MP4 to write (appears only when complete)',
  '  --thumbnail FILE        the JPEG thumbnail (default: the MP4 path with .jpg)',
  '  --voice V               espeak-ng voice (default en; see `espeak-ng --voices`)',
  '  --rate WPM              words per minute, 80–450 (default 170)',
  '  --pitch P               0–99 (default 50)',
  `  --format WxH            ${FORMATS.join(', ')} (default 1080x1920)`,
  '  --background BG         an image or video FILE, #rrggbb, or builtin:NAME',
  `                          (builtins: ${BUILTIN_BACKGROUNDS.map((b) => b.name).join(', ')}; default builtin:dusk)`,
  '  --music FILE            a music bed, ducked under the voice',
  '  --music-volume V        0–2 (default 0.3)',
  '  --gap SECONDS           silence between scenes, 0–10 (default 0.4)',
  '  --caption-size PX       caption font size at the output resolution (default 64)',
  '  --caption-position P    top, middle or bottom (default bottom)',
  '  --no-highlight          no word-by-word highlight',
  '  --zoom                  a slow push-in on still backgrounds',
  '  --timeout SECONDS       give up after this long (default 600)',
].join('\n');

const STUDIO_USAGE_HEAD = ['usage: tidewire studio <command> [options]', '', 'commands:'];

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

const VALUED = ['out', 'thumbnail', 'voice', 'rate', 'pitch', 'format', 'background', 'music', 'music-volume', 'gap', 'caption-size', 'caption-position', 'timeout'];
const FLAGS = ['no-highlight', 'zoom'];

function numberFlag(name: string, v: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} needs ${integer ? 'an integer' : 'a number'} in ${min}–${max}, got '${v}'`);
  }
  return n;
}

/** Parses `render`'s arguments; throws UsageError (exit 2) on anything malformed. */
export function parseRenderArgs(args: string[]): RenderArgs | 'help' {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--') || a === '--') { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (FLAGS.includes(name) && eq === -1) { flags.add(name); continue; }
    if (!VALUED.includes(name)) throw new UsageError(`unknown option '${a}'`);
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`${a} needs a value`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, value);
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'expected a SCRIPT file' : `unexpected argument '${positional[1]}'`);
  const out = values.get('out');
  if (!out) throw new UsageError('--out VIDEO.mp4 is required');
  if (extname(out).toLowerCase() !== '.mp4') throw new UsageError(`--out must name a .mp4 file, got '${out}'`);
  const format = values.get('format') ?? '1080x1920';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`);
  const position = values.get('caption-position') ?? 'bottom';
  if (position !== 'top' && position !== 'middle' && position !== 'bottom') throw new UsageError(`--caption-position must be top, middle or bottom, got '${position}'`);
  const bg = values.get('background') ?? 'builtin:dusk';
  let background: RenderArgs['background'];
  if (bg.startsWith('builtin:')) {
    const name = bg.slice('builtin:'.length);
    if (!BUILTIN_BACKGROUNDS.some((b) => b.name === name)) throw new UsageError(`no builtin background '${name}' (have ${BUILTIN_BACKGROUNDS.map((b) => b.name).join(', ')})`);
    background = { kind: 'builtin', name };
  } else if (bg.startsWith('#')) {
    if (!/^#[0-9a-fA-F]{6}$/.test(bg)) throw new UsageError(`--background colour must be #rrggbb, got '${bg}'`);
    background = { kind: 'color', color: bg };
  } else {
    background = { kind: 'file', path: resolve(bg) };
  }
  return {
    script: resolve(positional[0]!),
    out: resolve(out),
    thumbnail: resolve(values.get('thumbnail') ?? out.replace(/\.mp4$/i, '.jpg')),
    voice: values.get('voice') ?? 'en',
    rate: numberFlag('rate', values.get('rate'), 170, 80, 450, true),
    pitch: numberFlag('pitch', values.get('pitch'), 50, 0, 99, true),
    format: format as Format,
    background,
    music: values.has('music') ? resolve(values.get('music')!) : undefined,
    musicVolume: numberFlag('music-volume', values.get('music-volume'), 0.3, 0, 2),
    gap: numberFlag('gap', values.get('gap'), 0.4, 0, 10),
    captionSize: numberFlag('caption-size', values.get('caption-size'), 64, 8, 400, true),
    captionPosition: position,
    highlight: !flags.has('no-highlight'),
    zoom: flags.has('zoom'),
    timeoutMs: numberFlag('timeout', values.get('timeout'), 600, 1, 86_400) * 1000,
  };
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
  return {
    name: 'render',
    summary: 'render a script file to a narrated, captioned MP4 (no server)',
    usage: RENDER_USAGE,
    async run(args: string[]): Promise<number> {
      const parsed = parseOrUsage(parseRenderArgs, args, { prefix: 'tidewire studio render', usage: RENDER_USAGE, out, err });
      if ('exit' in parsed) return parsed.exit;
      const a = parsed;
      const state = await mkdtemp(join(tmpdir(), 'tidewire-studio-'));
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        let script: string;
        try {
          script = await readFile(a.script, 'utf8');
        } catch (e) {
          throw new StudioError('STUDIO_NOT_FOUND', `cannot read the script ${a.script}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
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
        if (a.music) { await mustExist(a.music, 'the music'); assets.set('music', a.music); }
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
        out.write(`wrote ${result.outPath}: ${story.scenes.length} scenes, ${result.durationSeconds.toFixed(2)} s, ${a.format}, ${result.bytes} bytes `
          + `in ${seconds.toFixed(1)} s (${(seconds / result.durationSeconds).toFixed(2)}× real time); thumbnail ${result.thumbnailPath}\n`);
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
  };
}

/**
 * The `tidewire studio` subcommands, one row each. The queue's worker process registers here
 * too: `(out, err) => createStudioWorkerCommand(out, err)`.
 */
export const SUBCOMMANDS: ((out: Output, err: Output) => Command)[] = [createStudioRenderCommand];

export function createStudioCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  const subcommands = SUBCOMMANDS.map((make) => make(out, err));
  const usage = [...STUDIO_USAGE_HEAD, ...subcommands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '', 'Run `tidewire studio <command> --help` for its options.'].join('\n');
  return {
    name: 'studio',
    summary: 'Media Studio: render scripts to narrated, captioned videos',
    usage,
    subcommands: true,
    async run(args: string[]): Promise<number> {
      const [name, ...rest] = args;
      if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        (name ? out : err).write(`${usage}\n`);
        return name ? 0 : 2;
      }
      const sub = subcommands.find((c) => c.name === name);
      if (!sub) { err.write(`tidewire studio: unknown command '${name}'\n${usage}\n`); return 2; }
      return sub.run(rest);
    },
  };
}

/** `tidewire studio <render|…>`: register this one in apps/tidewire/src/main.ts. */
export const studioCommand: Command = createStudioCommand();
