/**
 * A finished command ends its process even when something was left open by mistake: after
 * the grace period, with the command's exit code, naming what was open. Without anything
 * open it ends at once, and says nothing. Real Node processes, timed from outside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describeOpen, STILL_OPEN_MESSAGE } from '../../src/exit-when-done.js';

const MODULE = fileURLToPath(new URL('../../src/exit-when-done.js', import.meta.url));

/** A Node process that sets exit code 3, maybe leaves a server listening, and calls exitWhenDone(300). */
async function finish(leaveOpen: boolean): Promise<{ code: number | null; stderr: string; ms: number }> {
  const script = `
    const { exitWhenDone } = await import(${JSON.stringify(MODULE)});
    ${leaveOpen ? "require('node:net').createServer().listen(0, '127.0.0.1');" : ''}
    process.exitCode = 3;
    exitWhenDone(300);`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=commonjs', '-e', `(async () => {${script}})()`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stderr, ms: performance.now() - started };
}

test('a process kept open after the command finished ends after the grace period, with its code, naming what was open', async () => {
  const [stuck, clean] = await Promise.all([finish(true), finish(false)]);
  assert.equal(stuck.code, 3, stuck.stderr);
  assert.ok(stuck.stderr.includes(STILL_OPEN_MESSAGE), stuck.stderr);
  assert.match(stuck.stderr, /1 TCPServerWrap/);
  assert.ok(stuck.ms >= 300, `ended ${stuck.ms} ms after start, before the grace period`);
  assert.equal(clean.code, 3, clean.stderr);
  assert.equal(clean.stderr, '', 'nothing open: nothing said');
});

test('what was open is counted by kind', () => {
  assert.equal(describeOpen(['TCPSocketWrap', 'Timeout', 'TCPSocketWrap']), '2 TCPSocketWrap, 1 Timeout');
  assert.equal(describeOpen([]), 'nothing Node reports');
});
