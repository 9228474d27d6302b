/**
 * Reads an RFC 6750 bearer credential. A header that is present but not of that form is told apart
 * from a missing one, so clients get a precise error.
 */
export type BearerResult = { ok: true; token: string } | { ok: false; reason: 'missing' | 'malformed' };

// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function readBearer(header: string | undefined): BearerResult {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const match = BEARER.exec(header);
  return match?.[1] ? { ok: true, token: match[1] } : { ok: false, reason: 'malformed' };
}
