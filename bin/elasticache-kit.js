#!/usr/bin/env node
// Tiny shim: all logic lives in the bundled CLI (dist/bundle, built by scripts/bundle.js);
// each command's code is a chunk of its own, required only when that command runs.
// CommonJS, as the bundle is: Node 20 then never starts its ES module loader, and can be
// given the compiled code of the last run (see compile-cache.js).
'use strict';
const { join } = require('node:path');
const { cacheCompiledCode } = require('./compile-cache.js');

cacheCompiledCode(join(__dirname, '..', 'dist', 'bundle'));
require('../dist/bundle/cli.js').main(process.argv);
