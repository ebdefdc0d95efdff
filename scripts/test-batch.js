#!/usr/bin/env node
// Runs several test files in this one process, one after the other (scripts/run-tests.js
// deals the suite's files into a few such batches): each file's tests in a suite named
// after the file, so a report and a failure still say which file they come from. Why:
// starting Node, its test runner, the SDK and the project's modules again for each file
// cost a third of the suite's CPU. Usage: node scripts/test-batch.js <file.test.js> …
import { describe } from 'node:test';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
for (const file of process.argv.slice(2)) {
  // Named by its path in the repository, as the runner names a file it runs alone.
  describe(relative(repo, file), async () => {
    await import(pathToFileURL(file).href);
  });
}
