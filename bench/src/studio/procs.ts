// What the studio suite reads from /proc and the disk: a process's resident memory (VmRSS), the
// sum over a process and all its descendants, processes left alive that mention a folder, and
// the bytes of files under a folder.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** VmRSS of `pid` in bytes; 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

function procs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // reason: the command name in parentheses may contain spaces; fields after the last ')' do not.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), state: rest[0]!, ppid: Number(rest[1]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** `roots` and every descendant of them that is alive now. */
export function processTree(roots: number[]): number[] {
  const all = procs();
  const children = new Map<number, number[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const seen = new Set<number>();
  const stack = roots.filter((r) => all.some((p) => p.pid === r));
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** Sum of VmRSS over `roots` and their descendants, bytes. */
export function treeRssBytes(roots: number[]): number {
  return processTree(roots).reduce((sum, pid) => sum + rssBytes(pid), 0);
}

/** ffmpeg/ffprobe/espeak-ng processes alive (zombies count as gone) whose command line mentions `needle`. */
export function orphans(needle: string, tools: RegExp = /^(ffmpeg|ffprobe|espeak-ng|espeak)$/): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const p of procs()) {
    if (p.pid === process.pid || p.state === 'Z') continue;
    try {
      const argv = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
      const exe = (argv[0] ?? '').split('/').pop() ?? '';
      const cmd = argv.join(' ');
      if (tools.test(exe) && cmd.includes(needle)) found.push({ pid: p.pid, cmd: cmd.slice(0, 200) });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Bytes of the regular files under `dir` (0 when it does not exist), skipping names in `skip`. */
export function dirBytes(dir: string, skip: (name: string) => boolean = () => false): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (skip(name)) continue;
    const path = join(dir, name);
    try {
      const s = statSync(path);
      total += s.isDirectory() ? dirBytes(path, skip) : s.size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}

export const MB = 1024 * 1024;
