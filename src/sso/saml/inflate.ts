import { inflateRawSync } from 'node:zlib';
import { decodeBase64Strict } from './xml-safety.ts';
import type { ParseResult } from './types.ts';

/**
 * Inflates a DEFLATE-encoded HTTP-Redirect binding message (SAMLRequest or SAMLResponse query
 * parameter, already URL-decoded). zlib stops at `maxBytes` of output, so a small query string
 * cannot expand into gigabytes (a deflate bomb) before anything looks at it.
 */
export function inflateRedirectMessage(b64: string, maxBytes: number): ParseResult<string> {
  const decoded = decodeBase64Strict(b64, maxBytes);
  if (!decoded.ok) return { ok: false, error: decoded.detail };
  try {
    return { ok: true, value: inflateRawSync(decoded.value, { maxOutputLength: maxBytes }).toString('utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, error: `inflates past ${maxBytes} bytes` };
    return { ok: false, error: `not a DEFLATE stream: ${(error as Error).message}` };
  }
}
