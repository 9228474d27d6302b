#!/usr/bin/env node
// The `roster` command from a clone (`npm start` runs `node bin/roster.js serve`): builds dist/
// first when the sources changed since the last build, then runs it. The installed package's
// command is dist/cli/bin.js itself, with nothing to build.
import { build } from './build.js';

await build();
await import('../dist/cli/bin.js');
