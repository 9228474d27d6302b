import { describe, expect, it } from 'vitest';
import { FailedAuthThrottle } from '../../src/scim/index.ts';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const ADDRESS = '192.0.2.7';
const TOKEN = 'dir-a digest-1';

describe('FailedAuthThrottle', () => {
  it('refuses a token that keeps failing from an address until its minute ends, and nothing else', () => {
    const throttle = new FailedAuthThrottle({ perTokenFailures: 3 });
    for (let i = 0; i < 3; i++) {
      expect(throttle.refusal(ADDRESS, TOKEN, T0 + i)).toBeUndefined();
      throttle.failed(ADDRESS, TOKEN, T0 + i);
    }
    expect(throttle.refusal(ADDRESS, TOKEN, T0 + 10_000)).toBe(50);
    expect(throttle.refusal('192.0.2.8', TOKEN, T0 + 10_000)).toBeUndefined();
    expect(throttle.refusal(ADDRESS, 'dir-b digest-1', T0 + 10_000)).toBeUndefined();
    expect(throttle.refusal(ADDRESS, TOKEN, T0 + 60_000)).toBeUndefined();
  });

  it('refuses, from an address with too many failures, only the tokens not admitted recently', () => {
    const throttle = new FailedAuthThrottle({ perAddressFailures: 5, recentlyAdmittedMs: 10 * 60_000 });
    throttle.admitted('dir-ok digest-ok', T0 - 5 * 60_000);
    throttle.admitted('dir-old digest-old', T0 - 11 * 60_000);
    for (let i = 0; i < 5; i++) throttle.failed(ADDRESS, `dir-a guess-${i}`, T0 + i);
    expect(throttle.refusal(ADDRESS, 'dir-a guess-99', T0 + 1_000)).toBe(59);
    expect(throttle.refusal(ADDRESS, 'dir-ok digest-ok', T0 + 1_000)).toBeUndefined();
    expect(throttle.refusal(ADDRESS, 'dir-old digest-old', T0 + 1_000)).toBe(59);
    expect(throttle.refusal('192.0.2.8', 'dir-a guess-99', T0 + 1_000)).toBeUndefined();
    expect(throttle.refusal(ADDRESS, 'dir-a guess-99', T0 + 60_000)).toBeUndefined();
  });

  it('keeps one misconfigured token from ever refusing its address: its throttled attempts are not counted', () => {
    const throttle = new FailedAuthThrottle({ perTokenFailures: 20, perAddressFailures: 30 });
    // The middleware records a failure only for an attempt the throttle let through.
    for (let i = 0; i < 1_000; i++) {
      if (throttle.refusal(ADDRESS, TOKEN, T0 + i) === undefined) throttle.failed(ADDRESS, TOKEN, T0 + i);
    }
    expect(throttle.refusal(ADDRESS, TOKEN, T0 + 1_000)).toBeGreaterThan(0);
    expect(throttle.refusal(ADDRESS, 'dir-new digest-new', T0 + 1_000)).toBeUndefined();
  });

  it('forgets its oldest entries beyond its bound', () => {
    const throttle = new FailedAuthThrottle({ maxEntries: 100, perTokenFailures: 1 });
    throttle.failed(ADDRESS, TOKEN, T0);
    expect(throttle.refusal(ADDRESS, TOKEN, T0)).toBe(60);
    for (let i = 0; i < 1_000; i++) {
      throttle.failed(`198.51.100.${i}`, `dir-x digest-${i}`, T0);
      throttle.admitted(`dir-y digest-${i}`, T0);
    }
    expect(throttle.sizes).toEqual({ pairs: 100, addresses: 100, admitted: 100 });
    expect(throttle.refusal(ADDRESS, TOKEN, T0)).toBeUndefined();
  });

  it('refuses bad options at start-up', () => {
    expect(() => new FailedAuthThrottle({ perTokenFailures: 0 })).toThrow(/perTokenFailures/);
    expect(() => new FailedAuthThrottle({ maxEntries: 1.5 })).toThrow(/maxEntries/);
  });
});
