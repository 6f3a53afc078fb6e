// README "Tests and benchmarks": no wait in a test can hang it. The raw test clients' until() and
// the polling waitFor() fail after a deadline with `timed out after N ms waiting for <what>`,
// over a real server and socket; the suite's own timeout catches a wait that has no deadline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawClient } from './raw-client.ts';
import { startServer, waitFor } from './helpers.ts';
import { UNTIL_TIMEOUT_MS } from './test-socket.ts';

describe('README §Tests and benchmarks: waits have deadlines', { timeout: 5_000 }, () => {
  it('until() on a real socket fails within its deadline, naming what it waited for', async (t) => {
    const server = await startServer(t);
    const client = await RawClient.open(server.url);
    t.after(() => client.close());
    const t0 = performance.now();
    await assert.rejects(
      client.until(() => false, 'a frame that never comes', { timeoutMs: 300 }),
      {
        message: 'timed out after 300 ms waiting for a frame that never comes',
      },
    );
    const ms = performance.now() - t0;
    assert.ok(ms >= 290 && ms < 2_000, `failed after ${Math.round(ms)} ms`);
    await assert.rejects(client.closedWithin(200), { message: 'timed out after 200 ms waiting for the connection to close' });
  });

  it('until() without words names the condition by its source (as tsx emits it); the default deadline is 10 s', async (t) => {
    const server = await startServer(t);
    const client = await RawClient.open(server.url);
    t.after(() => client.close());
    await assert.rejects(
      client.until(() => client.frames.length > 1e9, undefined, { timeoutMs: 50 }),
      {
        message: /^timed out after 50 ms waiting for client\.frames\.length ?> ?1e9$/,
      },
    );
    assert.equal(UNTIL_TIMEOUT_MS, 10_000, 'the default deadline');
  });

  it('until() clears its timer when the condition comes true, and when the socket closes', async (t) => {
    const server = await startServer(t);
    const client = await RawClient.open(server.url);
    // The timers until() arms, caught at setTimeout (counting process-wide active timers also
    // counts the runner's own, which come and go).
    const armed: NodeJS.Timeout[] = [];
    const realSetTimeout = globalThis.setTimeout;
    t.mock.method(globalThis, 'setTimeout', (...args: Parameters<typeof setTimeout>) => {
      const handle = realSetTimeout(...args);
      armed.push(handle);
      return handle;
    });
    const cleared = (h: NodeJS.Timeout) => (h as unknown as { _destroyed: boolean })._destroyed;
    let ready = false;
    const waiting = client.until(() => ready, 'ready');
    assert.equal(armed.length, 1, 'a pending wait holds one timer');
    assert.equal(cleared(armed[0]!), false);
    ready = true;
    client.send(new Uint8Array([0xff])); // any message wakes the waiters
    await waiting;
    assert.equal(cleared(armed[0]!), true, 'its timer is gone once it resolved');
    const never = client.until(() => false, 'a frame after the close');
    const second = armed.at(-1)!;
    assert.notEqual(second, armed[0]);
    await client.close();
    await assert.rejects(never, { message: /^connection closed \(\d+\) while waiting for a frame after the close$/ });
    assert.equal(cleared(second), true, 'and once it rejected');
  });

  it('waitFor() polls until its deadline and names the condition', async () => {
    let polls = 0;
    await assert.rejects(
      waitFor(() => ++polls < 0, 'polls to go negative', 100),
      { message: 'timed out after 100 ms waiting for polls to go negative' },
    );
    assert.ok(polls > 1, 'it polled');
  });
});
