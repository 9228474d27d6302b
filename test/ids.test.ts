import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUuid, newId } from '../src/ids.ts';

/** The 48-bit Unix millisecond timestamp at the front of a v7 id. */
const msecsOf = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('newId', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes RFC 9562 version-7 ids, each one new', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Their random tails differ too: no id reuses another's randomness.
    const tails = ids.map((id) => id.slice(-12));
    expect(new Set(tails).size).toBe(ids.length);
  });

  it('sorts in the order the ids were made, also within one millisecond', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2031-03-04T05:06:07.008Z') });
    const sameMillisecond = Array.from({ length: 1000 }, () => newId());
    vi.setSystemTime(new Date('2031-03-04T05:06:07.009Z'));
    const next = Array.from({ length: 10 }, () => newId());
    const ids = [...sameMillisecond, ...next];
    expect([...ids].sort()).toEqual(ids);
    expect(msecsOf(sameMillisecond[0]!)).toBe(Date.parse('2031-03-04T05:06:07.008Z'));
    expect(msecsOf(next[0]!)).toBe(Date.parse('2031-03-04T05:06:07.009Z'));
  });

  it('keeps ordering when the clock steps back', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2032-01-01T00:00:00.500Z') });
    const before = newId();
    vi.setSystemTime(new Date('2032-01-01T00:00:00.100Z'));
    const after = newId();
    expect(after > before).toBe(true);
  });
});
