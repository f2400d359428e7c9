#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step between `npm ci` and the first command.
require('tsx/cjs/api').register();
require('../src/cli/main.ts').main(process.argv);
