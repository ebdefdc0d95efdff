#!/usr/bin/env node
// One lane of scripts/run-tests.js: a test process that runs file after file, each one's
// tests in a suite named after the file (so a report and a failure still say which file
// they come from). Started by the runner, it asks for a file over IPC when it is ready and
// again when the file's suite has ended, hooks and all; told that no file is left, it closes
// the channel, and the process ends its run. Run by hand, it runs the files it is given.
// Why files share a process: starting Node, its test runner, the SDK and the project's
// modules again for each file cost a third of the suite's CPU.
//
// Usage: node scripts/test-lane.js <file.test.js> …
import { after, describe } from 'node:test';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

// Preloaded by the runner (--require); loaded here too when a lane is run by hand.
const { forgetFinishedResources } = createRequire(import.meta.url)('./lane-async-hooks.cjs');

const repo = fileURLToPath(new URL('..', import.meta.url));

function runFile(file, onEnd) {
  // Named by its path in the repository, as the runner names a file it runs alone.
  describe(relative(repo, file), async () => {
    try {
      await import(pathToFileURL(file).href);
    } finally {
      // Registered last, so it runs after the file's own after() hooks (its servers are stopped);
      // in `finally`, so a file that fails to load still ends.
      after(() => {
        forgetFinishedResources();
        onEnd?.();
      });
    }
  });
}

if (process.send) {
  process.on('message', ({ file, done }) => {
    if (done) process.disconnect();
    else runFile(file, () => process.send?.({ finished: file }));
  });
  process.send({ ready: true });
} else {
  for (const file of process.argv.slice(2)) runFile(file);
}
