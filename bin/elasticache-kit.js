#!/usr/bin/env node
// Tiny shim: all logic lives in the bundled CLI (dist/bundle, built by scripts/bundle.js);
// each command's code is a chunk of its own, imported only when that command runs.
import module from 'node:module';

// Node >= 22.1 can cache the compiled bundle on disk between runs; older Nodes lack it.
try {
  module.enableCompileCache?.();
} catch {
  // A read-only or missing cache directory only costs speed.
}
import('../dist/bundle/cli.js').then((cli) => cli.main(process.argv));
