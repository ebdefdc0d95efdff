/**
 * Shared TLS contexts (src/tls-context.ts): one per CA, and a shared one still verifies the
 * server against that CA and no other (two CAs made by the emulator's own openssl steps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ensureTlsMaterial } from '../../src/local/tls-material.js';
import { withSharedContext } from '../../src/tls-context.js';

/** Resolves with the error a client connect ends with, or undefined once the handshake succeeded. */
function handshake(port: number, ca: Buffer): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const socket = connect(withSharedContext({ host: '127.0.0.1', port, ca }), () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(error));
  });
}

test('one context per CA; a shared context verifies the server against its own CA only', async (t) => {
  const dirs = [mkdtempSync(join(tmpdir(), 'eck-tls-a-')), mkdtempSync(join(tmpdir(), 'eck-tls-b-'))];
  t.after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const [a, b] = dirs.map((dir) => ensureTlsMaterial(dir, '127.0.0.1'));
  const caA = readFileSync(a!.caCertFile);
  const caB = readFileSync(b!.caCertFile);

  const first = withSharedContext({ ca: caA });
  assert.equal(withSharedContext({ ca: Buffer.from(caA), servername: 'x' }).secureContext, first.secureContext);
  assert.equal(withSharedContext({ ca: caA.toString('utf8') }).secureContext, first.secureContext, 'same CA as text');
  assert.notEqual(withSharedContext({ ca: caB }).secureContext, first.secureContext);
  assert.notEqual(withSharedContext({}).secureContext, first.secureContext, 'the default roots are a context apart');
  const own = withSharedContext({ ca: caB });
  assert.equal(withSharedContext(own), own, 'a context already given is kept');

  const server: Server = createServer({ key: readFileSync(a!.keyFile), cert: readFileSync(a!.certFile) }, (socket) =>
    socket.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  for (let round = 0; round < 2; round++) {
    assert.equal(await handshake(port, caA), undefined, `round ${round}: trusted through CA a`);
    const refused = await handshake(port, caB);
    assert.match(String((refused as NodeJS.ErrnoException | undefined)?.code), /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
  }
});
