#!/usr/bin/env node
// Tiny shim: all logic lives in the compiled CLI; commands load lazily from there.
import('../dist/src/cli.js').then((cli) => cli.main(process.argv));
