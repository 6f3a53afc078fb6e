// Child processes that never leak (docs/studio.md §5.6). Every tool runs without a shell in its
// own process group (`detached: true`), so one kill of `-pid` reaches ffmpeg and anything it
// started. A cancel or timeout sends SIGTERM to the group and SIGKILL after a short grace; the
// promise settles only once the child has exited, so "rejected" means "nothing left running".
// Live children are counted for /metrics and written to a small ledger file under the state
// folder, so a server restarted after a crash can kill what its previous life left behind
// (`cleanupLeftovers`).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StudioError, type StudioErrorCode } from '../errors.ts';
import { diskFullLine } from './quota.ts';

/** SIGTERM first, SIGKILL after this long (the brief allows ≤ 500 ms; a cancel must finish within 1 s). */
export const KILL_GRACE_MS = 250;
/** How much of a child's stderr is kept for the error message. */
export const STDERR_RING_BYTES = 4096;

/** The last `capacity` bytes written, for error messages: stderr is drained, never buffered whole. */
export class ByteRing {
  private readonly buf: Buffer;
  private length = 0;
  private end = 0;

  constructor(readonly capacity = STDERR_RING_BYTES) {
    this.buf = Buffer.alloc(capacity);
  }

  push(chunk: Buffer): void {
    if (chunk.length >= this.capacity) {
      chunk.copy(this.buf, 0, chunk.length - this.capacity);
      this.end = 0;
      this.length = this.capacity;
      return;
    }
    const first = Math.min(chunk.length, this.capacity - this.end);
    chunk.copy(this.buf, this.end, 0, first);
    chunk.copy(this.buf, 0, first);
    this.end = (this.end + chunk.length) % this.capacity;
    this.length = Math.min(this.capacity, this.length + chunk.length);
  }

  toString(): string {
    if (this.length < this.capacity) return this.buf.toString('utf8', 0, this.length);
    return Buffer.concat([this.buf.subarray(this.end), this.buf.subarray(0, this.end)]).toString('utf8');
  }

  /** The last `n` non-empty lines (the first may be cut by the ring). */
  lastLines(n = 8): string[] {
    return this.toString()
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .filter((l) => l !== '')
      .slice(-n);
  }
}

// ---- the live-children registry (for /metrics) -------------------------------------------------

interface LiveChild {
  pid: number;
  command: string;
}

const live = new Map<number, LiveChild>();

/** Child processes (tool runs) alive right now in this process, over every render. */
export function liveChildren(): number {
  return live.size;
}

/** The pids of the live children (tests check each one is gone). */
export function liveChildPids(): number[] {
  return [...live.keys()];
}

// ---- the ledger: what a restarted server must clean up -----------------------------------------

interface LedgerRecord {
  /** Process groups: pid (= pgid) and its start time (clock ticks since boot) so a reused pid is never killed. */
  groups: { pid: number; start: number; command: string }[];
  /** Temp files and folders to delete when the render that made them is gone. */
  temps: string[];
}

/**
 * One render's entry in `stateDir/live/`: its live process groups and its temp paths, rewritten
 * (write + rename) whenever they change and removed when the render ends. A file still there at
 * start-up belongs to a process that died without cleaning up.
 */
export class Ledger {
  private readonly file: string;
  private readonly record: LedgerRecord = { groups: [], temps: [] };
  private closed = false;

  constructor(
    readonly stateDir: string,
    id = randomBytes(6).toString('hex'),
  ) {
    const dir = join(stateDir, 'live');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${id}.json`);
  }

  addGroup(pid: number, command: string): void {
    this.record.groups.push({ pid, start: processStartTime(pid) ?? -1, command });
    this.save();
  }

  removeGroup(pid: number): void {
    this.record.groups = this.record.groups.filter((g) => g.pid !== pid);
    this.save();
  }

  addTemp(path: string): void {
    this.record.temps.push(path);
    this.save();
  }

  removeTemp(path: string): void {
    this.record.temps = this.record.temps.filter((p) => p !== path);
    this.save();
  }

  /** The render finished (either way) and cleaned up: forget it. */
  close(): void {
    this.closed = true;
    rmSync(this.file, { force: true });
  }

  private save(): void {
    if (this.closed) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.record));
    renameSync(tmp, this.file);
  }
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot; undefined when it is gone. */
function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // reason: the command name (field 2) is in parentheses and may hold spaces; count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[22 - 3]);
  } catch {
    return undefined;
  }
}

export interface CleanupReport {
  killedGroups: number;
  removedTemps: number;
}

/**
 * Kills the process groups and deletes the temp files recorded by renders of an earlier life of
 * this server (every ledger in `stateDir/live/`). A group is killed only when its leader still
 * has the recorded start time, so a pid reused by an unrelated process is left alone. Call it at
 * start-up, before any render of this life begins.
 */
export function cleanupLeftovers(stateDir: string): CleanupReport {
  const dir = join(stateDir, 'live');
  const report: CleanupReport = { killedGroups: 0, removedTemps: 0 };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return report;
  }
  for (const name of names) {
    const file = join(dir, name);
    let record: LedgerRecord | undefined;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as LedgerRecord;
    } catch {
      record = undefined; // a torn .tmp or garbage: nothing to act on, just remove it
    }
    for (const g of record?.groups ?? []) {
      if (!Number.isInteger(g.pid) || g.pid <= 1) continue;
      const start = processStartTime(g.pid);
      if (start === undefined || start !== g.start) continue;
      try {
        process.kill(-g.pid, 'SIGKILL');
        report.killedGroups++;
      } catch {
        /* gone meanwhile */
      }
    }
    for (const p of record?.temps ?? []) {
      if (typeof p !== 'string' || p === '') continue;
      try {
        rmSync(p, { recursive: true, force: true });
        report.removedTemps++;
      } catch {
        /* already gone */
      }
    }
    try {
      unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
  return report;
}

// ---- running one tool ----------------------------------------------------------------------------

export interface RunOptions {
  /** Aborting kills the child's process group; the promise then rejects with the abort's error. */
  signal?: AbortSignal;
  /** The render's ledger: the child's group is recorded while it runs. */
  ledger?: Ledger;
  cwd?: string;
  /** Written to the child's stdin, which is then closed (stdin is /dev/null otherwise). */
  stdin?: Buffer | string;
  /** Each complete stdout line (e.g. ffmpeg's `-progress pipe:1` key=value lines). Stdout is not kept when this is set. */
  onStdoutLine?: (line: string) => void;
  /** Stdout kept whole (for small outputs such as `espeak-ng --voices` or ffprobe JSON) up to this many bytes. */
  maxStdoutBytes?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** The error a render rejects with when its signal aborts: the reason when it is a StudioError (STUDIO_TIMEOUT), STUDIO_CANCELLED otherwise. */
export function abortError(signal: AbortSignal): StudioError {
  const reason: unknown = signal.reason;
  if (reason instanceof StudioError) return reason;
  return new StudioError('STUDIO_CANCELLED', 'the render was cancelled');
}

/**
 * Runs `command args…` without a shell in its own process group and resolves with its output
 * once it exits with status 0. Rejects with STUDIO_TOOL_MISSING (not installed),
 * STUDIO_TOOL_FAILED (non-zero exit; the message carries its last stderr lines) or the abort
 * error — always after the child is gone.
 */
export function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, ledger } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const stderr = new ByteRing();
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let partialLine = '';
    let failure: StudioError | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const pid = child.pid;

    if (pid !== undefined) {
      live.set(pid, { pid, command });
      ledger?.addGroup(pid, command);
    }

    const killGroup = (sig: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      failure ??= abortError(signal!);
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (options.onStdoutLine) {
        const lines = (partialLine + chunk.toString('utf8')).split('\n');
        partialLine = lines.pop()!;
        for (const line of lines) options.onStdoutLine(line.trimEnd());
        return;
      }
      const max = options.maxStdoutBytes ?? 1 << 20;
      if (stdoutBytes + chunk.length > max) {
        failure ??= new StudioError('STUDIO_TOOL_FAILED', `${command} wrote more than ${max} bytes to stdout`);
        killGroup('SIGKILL');
        return;
      }
      stdoutBytes += chunk.length;
      stdoutChunks.push(chunk);
    });
    if (options.stdin !== undefined) {
      // reason: a child that exits without reading all of stdin (a failed ffmpeg) makes the pipe
      // error with EPIPE; the exit status tells the story, not the pipe.
      child.stdin!.on('error', () => {});
      child.stdin!.end(options.stdin);
    }

    const finish = (code: number | null, sig: NodeJS.Signals | null, spawnError?: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // reason: the leader exited, but something it started may still hold the group; make sure.
      if (pid !== undefined) {
        killGroup('SIGKILL');
        live.delete(pid);
        ledger?.removeGroup(pid);
      }
      if (failure) return reject(failure);
      if (spawnError) {
        const code: StudioErrorCode = spawnError.code === 'ENOENT' ? 'STUDIO_TOOL_MISSING' : 'STUDIO_TOOL_FAILED';
        return reject(new StudioError(code, `${command}: ${spawnError.message}`, { cause: spawnError }));
      }
      // reason: FFmpeg even exits 0 when writing its trailer fails on a full disk ("Error writing trailer
      // …: No space left on device"), leaving a truncated file; its stderr is the only sign.
      const full = diskFullLine(stderr.lastLines());
      if (full !== undefined) return reject(new StudioError('STUDIO_QUOTA', `${command}: ${full}; free space or lower the caches' quotas`));
      if (code !== 0) {
        const tail = stderr.lastLines();
        return reject(new StudioError('STUDIO_TOOL_FAILED', `${command} exited with ${code ?? sig}${tail.length ? `:\n${tail.join('\n')}` : ''}`));
      }
      if (options.onStdoutLine && partialLine !== '') options.onStdoutLine(partialLine);
      resolve({ stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderr: stderr.toString() });
    };
    let settled = false;
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (!settled) {
        settled = true;
        finish(null, null, e);
      }
    });
    child.once('close', (code, sig) => {
      if (!settled) {
        settled = true;
        finish(code, sig);
      }
    });
  });
}
