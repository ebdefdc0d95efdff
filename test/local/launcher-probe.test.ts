/**
 * probe(), which every `--local` command runs first: our emulator, another program on the
 * port, nothing there, or a server that never answers (given up after the timeout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { BANNER, probe } from '../../src/local/launcher.js';
import { freePort } from '../helpers/ports.js';

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

test('probe tells the emulator from another program and from nothing', async (t) => {
  const emulator = createServer((_request, response) => response.end(`${BANNER} 0.1.0\n`));
  const other = createServer((_request, response) => response.end('<html>someone else</html>'));
  t.after(() => {
    emulator.close();
    other.close();
  });
  assert.equal(await probe(await listen(emulator)), 'emulator');
  assert.equal(await probe(await listen(other)), 'other');
  assert.equal(await probe(`http://127.0.0.1:${await freePort()}`), 'none');
});

test('a server that accepts but never answers is nothing, after the timeout', async (t) => {
  const silent = createTcpServer(() => undefined);
  t.after(() => silent.close());
  const url = await listen(silent);
  const started = performance.now();
  assert.equal(await probe(url, 200), 'none');
  const waited = performance.now() - started;
  assert.ok(waited >= 190 && waited < 5000, `gave up after the 200 ms timeout (${Math.round(waited)} ms)`);
});
