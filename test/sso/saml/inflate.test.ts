import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateRedirectMessage } from '../../../src/sso/saml/index.ts';

const deflated = (text: string) => deflateRawSync(Buffer.from(text)).toString('base64');

describe('inflateRedirectMessage', () => {
  it('inflates a redirect-binding message within the cap', () => {
    expect(inflateRedirectMessage(deflated('<samlp:AuthnRequest/>'), 1024)).toEqual({ ok: true, value: '<samlp:AuthnRequest/>' });
  });
  it('refuses a message that inflates past the cap (deflate bomb), without inflating it all', () => {
    const bomb = deflated('A'.repeat(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(16 * 1024);
    const result = inflateRedirectMessage(bomb, 256 * 1024);
    expect(result).toEqual({ ok: false, error: expect.stringContaining('inflates past 262144 bytes') });
  });
  it('refuses invalid base64 and data that is not DEFLATE', () => {
    expect(inflateRedirectMessage('not base64!', 1024).ok).toBe(false);
    expect(inflateRedirectMessage(Buffer.from('plain text, not deflated').toString('base64'), 1024).ok).toBe(false);
  });
});
