// Running ffprobe and ffmpeg for uploads: spawned without a shell, with an argument array, a
// timeout, a cap on what stdout may return, stderr drained (its tail kept for the error
// message), and the process killed when the caller aborts.
import { spawn } from 'node:child_process';
import { StudioError } from '../errors.ts';

export interface ToolPaths {
  ffmpeg: string;
  ffprobe: string;
  espeak: string;
}

export const DEFAULT_TOOLS: ToolPaths = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', espeak: 'espeak-ng' };

export interface RunOptions {
  timeoutMs?: number;
  /** stdout bytes kept; more fails the run. */
  maxStdout?: number;
  signal?: AbortSignal;
  /** Children started, for the live-process gauge. */
  onSpawn?: (delta: 1 | -1) => void;
}

const STDERR_TAIL = 2048;

/** Runs `cmd args…`; resolves stdout, rejects STUDIO_TOOL_MISSING / STUDIO_TOOL_FAILED / STUDIO_TIMEOUT. */
export function runTool(cmd: string, args: string[], options: RunOptions = {}): Promise<Buffer> {
  const { timeoutMs = 60_000, maxStdout = 1024 * 1024, signal, onSpawn } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    onSpawn?.(1);
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = '';
    let failure: StudioError | undefined;
    const kill = (err: StudioError) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > maxStdout) kill(new StudioError('STUDIO_TOOL_FAILED', `${cmd} wrote more than ${maxStdout} bytes`));
      else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      errTail = (errTail + c.toString('utf8')).slice(-STDERR_TAIL);
    });
    const timer = setTimeout(() => kill(new StudioError('STUDIO_TIMEOUT', `${cmd} ran longer than ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => kill(new StudioError('STUDIO_CANCELLED', `${cmd} was cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??=
        err.code === 'ENOENT'
          ? new StudioError('STUDIO_TOOL_MISSING', `${cmd} is not installed`)
          : new StudioError('STUDIO_TOOL_FAILED', `${cmd}: ${err.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      onSpawn?.(-1);
      if (failure) reject(failure);
      else if (code !== 0) reject(new StudioError('STUDIO_TOOL_FAILED', `${cmd} exited with ${code}: ${lastLines(errTail)}`));
      else resolve(Buffer.concat(out));
    });
  });
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
