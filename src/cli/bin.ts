#!/usr/bin/env node
// The installed `roster` command (package.json "bin"). Kept to the CLI module alone, which loads
// the server and the database only in the commands that need them.
import { main } from './main.ts';

process.exitCode = await main(process.argv);
