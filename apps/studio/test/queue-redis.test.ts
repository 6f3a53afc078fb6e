// The BullMQ queue on a real redis-server: the shared contract (docs/studio.md §4.1) and what
// only Redis does (§4.3): workers in other processes, kill -9 recovery, bounded retention.
import { after, before } from 'node:test';
import { startRedis, type RunningRedis } from '@tidewire/testkit';
import { openRedisQueue } from '../src/queue/bullmq.ts';
import { runQueueContract } from './queue-contract.ts';

let redis: RunningRedis;
let n = 0;
before(async () => {
  redis = await startRedis();
});
after(() => redis?.stop());

runQueueContract('redis', (options) => openRedisQueue({ url: redis.url, name: `contract-${process.pid}-${++n}`, ...options }));
