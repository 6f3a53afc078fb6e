// The studio server as the benchmark runs it, in its own process (so its RSS is its own):
// mountStudio on a Tidewire server, jobs on the Redis queue, no render worker in this process
// (renders run in worker-entry.ts processes), the built page under /studio/.
//   node --import tsx bench/src/studio/server-entry.ts <dataDir> <redisUrl> <queueName> <distDir>
// Sends { url } over IPC once listening; closes on SIGTERM or the IPC message 'exit'; answers
// { cmd: 'gc' } (run with --expose-gc) after a full collection, with process.memoryUsage() and the
// young generation's committed size (new_space).
import v8 from 'node:v8';
import { createServer } from '@tidewire/server';
import { openRedisQueue } from '@tidewire/studio/queue';
import { mountStudio } from '@tidewire/studio';

const [dataDir, redisUrl, queueName, dist] = process.argv.slice(2);
if (!dataDir || !redisUrl || !queueName || !dist) throw new Error('usage: server-entry.ts <dataDir> <redisUrl> <queueName> <distDir>');

const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
await server.serveStatic('/studio/', dist);
const queue = await openRedisQueue({ url: redisUrl, name: queueName });
const studio = await mountStudio(server, { dataDir, queue, worker: false });
const url = await server.listen();

let closing: Promise<void> | undefined;
const close = () => {
  closing ??= (async () => {
    await studio.close();
    await queue.close();
    await server.close();
    process.disconnect?.();
  })();
  return closing;
};
process.on('SIGTERM', () => void close());
process.on('message', (m) => {
  const cmd = (m as { cmd?: string }).cmd;
  if (cmd === 'exit') void close();
  // With --expose-gc: collect, then answer, so the bench reads the RSS of what is retained.
  if (cmd === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    process.send?.({ gc: true, memory: { ...process.memoryUsage(), newSpace } });
  }
});
process.send?.({ url, pid: process.pid });
