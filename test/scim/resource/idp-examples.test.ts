// Every request body in scim-examples/ goes through the engine, in sequence, with the stored
// result of one step feeding the next, and the responses the engine's output would produce match
// what each step expects.
import { describe, expect, it } from 'vitest';

import { loadSteps, Replay } from './replay.ts';

describe.each(['okta', 'entra', 'rfc7644'])('scim-examples/%s replayed through the engine', (folder) => {
  const steps = loadSteps(folder);
  const replay = new Replay();

  it.each(steps.map((step) => [step.file, step] as const))('%s', (_file, step) => {
    const { outcome, problem } = replay.run(step);
    if (outcome.skipped !== undefined) return;
    expect(problem).toBeUndefined();
  });
});

describe('the replay covers every write', () => {
  it.each(['okta', 'entra', 'rfc7644'])('%s: no POST, PUT or PATCH step is skipped', (folder) => {
    // Bulk requests go through the HTTP routes, which test/scim/conformance.db.test.ts replays.
    const writes = loadSteps(folder).filter(
      (step) => ['POST', 'PUT', 'PATCH'].includes(step.request.method) && !step.request.path.startsWith('/Bulk'),
    );
    expect(writes.length).toBeGreaterThan(0);
    const replay = new Replay();
    for (const step of loadSteps(folder)) {
      const { outcome } = replay.run(step);
      if (writes.includes(step)) expect(outcome.skipped).toBeUndefined();
    }
  });
});
