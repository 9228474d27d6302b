#!/usr/bin/env node
// The `roster` command. The sources are TypeScript, transformed as they load (typescript-hooks.js).
import './typescript-register.js';

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
