#!/usr/bin/env node
// The `roster` command. Sources are TypeScript run through tsx's loader, so what runs is always
// what is checked out: there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
