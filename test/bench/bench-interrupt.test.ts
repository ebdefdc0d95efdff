/** Ctrl-C in the middle of a run: exit 130, and every bench key is gone anyway. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACED_LOAD, spawnCli } from '../helpers/cli.js';
import { commandCalls, connectTestClient, startRedisServer, waitForCommandCalls } from '../helpers/redis.js';

test('SIGINT mid-run removes the bench keys and exits 130', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const bench = spawnCli(
    [
      'bench',
      '--primary',
      `127.0.0.1:${redis.port}`,
      '--test-time',
      '30',
      '--warmup',
      '0',
      '--clients',
      '4',
      '--key-maximum',
      '3000',
      // Paced: what is tested is the interrupt, not throughput.
      ...PACED_LOAD,
    ],
    { after: (fn) => t.after(fn) },
  );
  await bench.stderrMatches(/bench measure/);
  const client = await connectTestClient(redis.port);
  t.after(() => client.disconnect());
  // The prefill is done before the measurement starts; interrupt once the load runs.
  assert.ok((await client.dbsize()) >= 3000, 'the keyspace was prefilled');
  await waitForCommandCalls(redis, 'GET', (await commandCalls(redis, 'GET')) + 100);
  bench.child.kill('SIGINT');
  assert.equal(await bench.exited, 130, bench.stderr());
  assert.equal(await client.dbsize(), 0, 'no bench key left after Ctrl-C');
});
