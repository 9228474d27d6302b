import { describe, expect, it } from 'vitest';
import { clean, loggableBody, redact } from '../../src/scim/request-log/body.ts';

describe('request-log bodies', () => {
  it('removes every password member, at any depth and in any case', () => {
    expect(
      redact({
        userName: 'ada',
        password: 'a',
        PASSWORD: 'b',
        ext: { PassWord: 'c', list: [{ password: 'd', keep: 1 }, 'password'] },
      }),
    ).toEqual({ userName: 'ada', ext: { list: [{ keep: 1 }, 'password'] } });
  });

  it('removes the value of a PATCH operation that sets the password, however the path is qualified', () => {
    const patch = {
      Operations: [
        { op: 'replace', path: 'password', value: 's1' },
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:Password', value: 's2' },
        { op: 'replace', path: 'displayName', value: 'Ada' },
      ],
    };
    expect(JSON.stringify(redact(patch))).not.toMatch(/s1|s2/);
    expect(redact(patch)).toEqual({
      Operations: [
        { op: 'replace', path: 'password' },
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:Password' },
        { op: 'replace', path: 'displayName', value: 'Ada' },
      ],
    });
  });

  it('keeps a member named __proto__ as data', () => {
    const redacted = redact(JSON.parse('{"__proto__": {"password": "x", "polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.hasOwn(redacted, '__proto__')).toBe(true);
    expect(JSON.stringify(redacted)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('makes strings storable: no NUL, no unpaired surrogate', () => {
    expect(clean('a\u0000b')).toBe('ab');
    expect(clean('x\uD800y\uDC00')).toBe('x\uFFFDy\uFFFD');
    expect(clean('😀')).toBe('😀');
    expect(redact({ 'k\u0000': 'v\u0000' })).toEqual({ k: 'v' });
  });

  it('stores a body that fits as its redacted JSON, and nothing for an empty one', () => {
    expect(loggableBody('{"userName":"ada","password":"x"}', 'application/scim+json', 1024)).toEqual({ userName: 'ada' });
    expect(loggableBody('  ', 'application/scim+json', 1024)).toBeUndefined();
  });

  it('describes a body that is not JSON instead of storing it', () => {
    expect(loggableBody('password=hunter2', 'application/x-www-form-urlencoded', 1024)).toEqual({
      _roster: 'not JSON',
      contentType: 'application/x-www-form-urlencoded',
      bytes: 16,
    });
  });

  it('cuts a long body at the byte limit without splitting a character', () => {
    const body = JSON.stringify({ displayName: 'é'.repeat(2000) });
    const stored = loggableBody(body, null, 1001) as { _roster: string; bytes: number; preview: string };
    expect(stored._roster).toBe('truncated');
    expect(stored.bytes).toBe(Buffer.byteLength(body));
    expect(Buffer.byteLength(stored.preview)).toBeLessThanOrEqual(1001);
    expect(body.startsWith(stored.preview)).toBe(true);
    expect(stored.preview).not.toContain('\uFFFD');
  });

  it('removes passwords from a long body before cutting it, even one spelled with escapes', () => {
    const filler = 'x'.repeat(3000);
    for (const member of ['"password"', '"PassWord"', '"p\\u0061ssword"']) {
      const body = `{"userName":"ada",${member}:"hunter2-secret","note":"${filler}"}`;
      expect(JSON.parse(body)).toMatchObject({ note: filler });
      const stored = loggableBody(body, null, 1024) as { _roster: string; preview: string };
      expect(stored._roster).toBe('truncated');
      expect(stored.preview).toMatch(/^\{"userName":"ada","note":"xxx/);
      expect(stored.preview).not.toContain('hunter2');
    }
  });

  it('replaces nesting deeper than any SCIM resource with a marker', () => {
    const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown;
    expect(JSON.stringify(redact(deep))).toContain('[nested too deeply]');
  });
});
