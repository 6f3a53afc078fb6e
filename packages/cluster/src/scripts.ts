// The Lua scripts of docs/cluster.md §4, one per spec record. Each check and its write run as one
// atomic step in Redis. A refusal is an error reply whose first word is a ClusterError code, so
// `scriptError` can map it back without parsing sentences.
import type { Redis } from 'ioredis';
import { ClusterError, ClusterErrorCodes, type ClusterErrorCode } from './errors.ts';
import type { ChannelKeys } from './keys.ts';

/** KEYS: lease, fence, meta. ARGV: ownerId, ttlMs. Returns the fence. (§4 acquire) */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder then
  local owner, fence = string.match(holder, '^(.*):(%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(fence)
  end
  return redis.error_reply('TW_CLUSTER_LEASE_HELD ' .. holder)
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  -- fences must keep growing across a Redis that lost its data: start from the server clock in
  -- milliseconds × 10 (14 digits: the most Lua 5.1 prints as an integer, %.14g)
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)) .. '0')
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
redis.call('HSET', KEYS[3], 'fence', fence)
return fence
`;

/** KEYS: lease. ARGV: ownerId, fence, ttlMs. (§4 renew) */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] .. ':' .. ARGV[2] then
  return redis.error_reply('TW_CLUSTER_FENCE_STALE lease is not ' .. ARGV[1] .. ':' .. ARGV[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** Shared prologue: refuse a fence other than meta.fence. KEYS[1] is meta, ARGV[1] the fence. */
const CHECK_FENCE = `
local fence = redis.call('HGET', KEYS[1], 'fence')
if fence ~= ARGV[1] then
  return redis.error_reply('TW_CLUSTER_FENCE_STALE fence ' .. ARGV[1] .. ' is not the current ' .. tostring(fence))
end
`;

/** Refuse an epoch other than meta.epoch. ARGV[2] is the epoch. */
const CHECK_EPOCH = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if epoch ~= ARGV[2] then
  return redis.error_reply('TW_CLUSTER_EPOCH epoch ' .. ARGV[2] .. ' is not the current ' .. tostring(epoch))
end
`;

/** KEYS: meta, log, snap. ARGV: fence, epoch. (§4 begin) */
const BEGIN = `${CHECK_FENCE}
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'offset', 0, 'snapOffset', -1)
return 1
`;

/** KEYS: meta. ARGV: fence, epoch, offset. 1 when Redis's history is (epoch, offset), else 0. (§4 takeover) */
const TAKEOVER = `${CHECK_FENCE}
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[2] and redis.call('HGET', KEYS[1], 'offset') == ARGV[3] then
  return 1
end
return 0
`;

/** KEYS: meta, log, pub. ARGV: fence, epoch, offset, batch, hash, maxLen. (§4 append) */
const APPEND = `${CHECK_FENCE}${CHECK_EPOCH}
local expected = tonumber(redis.call('HGET', KEYS[1], 'offset')) + 1
if tonumber(ARGV[3]) ~= expected then
  return redis.error_reply('TW_CLUSTER_OFFSET expected offset ' .. expected .. ', got ' .. ARGV[3])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], ARGV[3] .. '-1', 'b', ARGV[4], 'h', ARGV[5])
redis.call('HSET', KEYS[1], 'offset', ARGV[3])
redis.call('PUBLISH', KEYS[3], string.char(#ARGV[5]) .. ARGV[5] .. ARGV[4])
return expected
`;

/** KEYS: meta, snap, log. ARGV: fence, epoch, offset, nodes, hash, enc, chunk0, chunk1, … (§4 snapshot) */
const SNAPSHOT = `${CHECK_FENCE}${CHECK_EPOCH}
local offset = tonumber(redis.call('HGET', KEYS[1], 'offset'))
if tonumber(ARGV[3]) > offset then
  -- a repair (§5): batches up to this offset never reached the log; the snapshot replaces them
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[1], 'offset', ARGV[3])
end
redis.call('DEL', KEYS[2])
local n = #ARGV - 6
redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'offset', ARGV[3], 'nodes', ARGV[4], 'hash', ARGV[5], 'enc', ARGV[6], 'n', n)
for i = 1, n do
  redis.call('HSET', KEYS[2], 'c' .. (i - 1), ARGV[6 + i])
end
redis.call('HSET', KEYS[1], 'snapOffset', ARGV[3])
return n
`;

type Arg = string | number | Uint8Array;

/** The scripts, bound to one connection (ioredis runs them by EVALSHA and loads them on NOSCRIPT). */
export interface ClusterScripts {
  acquire(keys: ChannelKeys, ownerId: string, ttlMs: number): Promise<number>;
  renew(keys: ChannelKeys, ownerId: string, fence: number, ttlMs: number): Promise<void>;
  begin(keys: ChannelKeys, fence: number, epoch: number): Promise<void>;
  takeover(keys: ChannelKeys, fence: number, epoch: number, offset: number): Promise<boolean>;
  append(keys: ChannelKeys, fence: number, epoch: number, offset: number, batch: Uint8Array, hash: string, maxLen: number): Promise<void>;
  snapshot(
    keys: ChannelKeys,
    fence: number,
    epoch: number,
    offset: number,
    nodes: number,
    hash: string,
    encoding: number,
    chunks: readonly Uint8Array[],
  ): Promise<void>;
}

type ScriptCommand = (...args: Arg[]) => Promise<unknown>;

const SCRIPTS = {
  twAcquire: { numberOfKeys: 3, lua: ACQUIRE },
  twRenew: { numberOfKeys: 1, lua: RENEW },
  twBegin: { numberOfKeys: 3, lua: BEGIN },
  twTakeover: { numberOfKeys: 1, lua: TAKEOVER },
  twAppend: { numberOfKeys: 3, lua: APPEND },
  twSnapshot: { numberOfKeys: 3, lua: SNAPSHOT },
} as const;

/** `onCall` counts round trips (one per script call) for /metrics. */
export function clusterScripts(redis: Redis, onCall: () => void = () => undefined): ClusterScripts {
  const commands = redis as unknown as Record<keyof typeof SCRIPTS, ScriptCommand | undefined>;
  for (const [name, def] of Object.entries(SCRIPTS)) {
    if (commands[name as keyof typeof SCRIPTS] === undefined) redis.defineCommand(name, def);
  }
  const run = async (name: keyof typeof SCRIPTS, ...args: Arg[]): Promise<unknown> => {
    onCall();
    try {
      return await commands[name]!(...args.map(toRedisArg));
    } catch (err) {
      throw scriptError(err);
    }
  };
  return {
    acquire: async (k, ownerId, ttlMs) => Number(await run('twAcquire', k.lease, k.fence, k.meta, ownerId, ttlMs)),
    renew: async (k, ownerId, fence, ttlMs) => void (await run('twRenew', k.lease, ownerId, fence, ttlMs)),
    begin: async (k, fence, epoch) => void (await run('twBegin', k.meta, k.log, k.snap, fence, epoch)),
    takeover: async (k, fence, epoch, offset) => Number(await run('twTakeover', k.meta, fence, epoch, offset)) === 1,
    append: async (k, fence, epoch, offset, batch, hash, maxLen) =>
      void (await run('twAppend', k.meta, k.log, k.pub, fence, epoch, offset, batch, hash, maxLen)),
    snapshot: async (k, fence, epoch, offset, nodes, hash, encoding, chunks) =>
      void (await run('twSnapshot', k.meta, k.snap, k.log, fence, epoch, offset, nodes, hash, encoding, ...chunks)),
  };
}

function toRedisArg(a: Arg): string | number | Buffer {
  return a instanceof Uint8Array ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : a;
}

/** A script's refusal (`<CODE> detail`) as a ClusterError of that code; anything else is TW_CLUSTER_REDIS. */
export function scriptError(err: unknown): ClusterError {
  if (err instanceof ClusterError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // Redis prefixes script errors with the script's location in some versions: find the code anywhere.
  const match = /\b(TW_CLUSTER_[A-Z_]+)\b ?(.*)$/.exec(message);
  if (match !== null && Object.hasOwn(ClusterErrorCodes, match[1]!)) {
    return new ClusterError(match[1] as ClusterErrorCode, match[2] || match[1]!, { cause: err });
  }
  return new ClusterError('TW_CLUSTER_REDIS', message, { cause: err });
}
