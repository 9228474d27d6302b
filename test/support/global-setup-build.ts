/**
 * Runs once per test pass before its tests: builds dist/ when the sources changed since the last
 * build, so that the tests which spawn the `roster` command run the JavaScript a user runs.
 */
import { build } from '../../bin/build.js';

export default async function setup() {
  await build();
}
