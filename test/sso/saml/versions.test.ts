import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const fromHere = createRequire(import.meta.url);
// xml-crypto as node-saml itself resolves it: that copy is the one verifying signatures.
const fromNodeSaml = createRequire(fromHere.resolve('@node-saml/node-saml'));

/** The installed version, read from the package's own package.json wherever npm put it. */
function installedVersion(name: string, require: NodeJS.Require): string {
  const entry = require.resolve(name);
  let dir = path.dirname(entry);
  while (!dir.endsWith(path.join('node_modules', ...name.split('/')))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

const atLeast = (version: string, minimum: string) => {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

describe('the SAML libraries Roster relies on', () => {
  // node-saml < 5.1.0 and xml-crypto < 6.1.2 verify signatures in ways known to be bypassable
  // (GHSA-4mxg-3p6v-xgq3 and the xml-crypto advisories of 2025); the validator assumes newer ones.
  it('has @node-saml/node-saml 5.1.0 or newer', () => {
    expect(atLeast(installedVersion('@node-saml/node-saml', fromHere), '5.1.0')).toBe(true);
  });
  it('has xml-crypto 6.1.2 or newer', () => {
    expect(atLeast(installedVersion('xml-crypto', fromNodeSaml), '6.1.2')).toBe(true);
  });
});
