// A bench child process driven over IPC, one reply per command (the tree, liveset and timeline
// suites' client, server and viewer runners), and a one-shot child that sends one result.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export class Child<C extends { cmd: string }> {
  private pending: ((msg: unknown) => void)[] = [];
  /** The child's first message (its ready message: a server's port, say). */
  ready: unknown;
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (msg) => this.pending.shift()?.(msg));
    child.on('exit', (code) => {
      for (const p of this.pending.splice(0)) p({ error: `child exited with code ${code}` });
    });
  }

  static async spawn<C extends { cmd: string }>(module: URL, args: string[] = [], execArgv: string[] = ['--import', 'tsx']): Promise<Child<C>> {
    const child = fork(module, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const c = new Child<C>(child);
    c.ready = await c.next();
    return c;
  }

  /** The next message the child sends (its ready message, or a one-shot result). */
  async next<T = unknown>(): Promise<T> {
    const msg = (await new Promise<unknown>((r) => this.pending.push(r))) as { error?: string };
    if (msg && msg.error) throw new Error(`bench child: ${msg.error}`);
    return msg as T;
  }

  async call<T = unknown>(cmd: C): Promise<T> {
    const reply = this.next<T>();
    this.child.send(cmd);
    return reply;
  }

  /** The child's process id (for /proc readings and its scheduling priority). */
  get pid(): number {
    return this.child.pid!;
  }

  /** SIGKILL, for a child that no longer answers (its late replies must not be taken for later commands). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await done;
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.send({ cmd: 'exit' });
    await done;
  }
}

/** Runs `module` in a child process and resolves with the one message it sends. */
export function runOnce<T>(module: URL, args: string[], execArgv: string[] = ['--import', 'tsx']): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(module, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: T | undefined;
    child.once('message', (msg) => (result = msg as T));
    child.once('error', reject);
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`${module.pathname} exited with code ${code} and no result`))));
  });
}
