#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx: no build step between `npm install` and the first run.
require('tsx/cjs/api').register();
require('../src/cli.ts').main(process.argv);
