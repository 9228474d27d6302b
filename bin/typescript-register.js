// Loads Roster's TypeScript sources through typescript-hooks.js from here on: imported first by
// the `roster` command, and passed with --import to the benchmark's processes.
import { register } from 'node:module';

register('./typescript-hooks.js', import.meta.url);
process.setSourceMapsEnabled(true);
