import { refuse } from './types.ts';
import type { Refused } from './types.ts';

const XS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An xs:dateTime as SAML requires it (with a zone); anything else is refused, never guessed. */
export function parseSamlInstant(value: string | undefined, what: string): { ok: true; value: Date | undefined } | Refused {
  if (value === undefined) return { ok: true, value: undefined };
  const date = new Date(value);
  if (!XS_DATE_TIME.test(value) || Number.isNaN(date.getTime())) return refuse('malformed', `${what} is not a valid instant: ${value}`);
  return { ok: true, value: date };
}

/** SAML core §2.5.1.2: valid when NotBefore ≤ now < NotOnOrAfter, each widened by the allowed skew. */
export function checkWindow(now: Date, skewSeconds: number, notBefore: Date | undefined, notOnOrAfter: Date | undefined, what: string): Refused | undefined {
  const skewMs = Math.max(0, skewSeconds) * 1000;
  if (notBefore && now.getTime() + skewMs < notBefore.getTime()) {
    return refuse('not_yet_valid', `${what} is valid from ${notBefore.toISOString()}; it is ${now.toISOString()}`);
  }
  if (notOnOrAfter && now.getTime() - skewMs >= notOnOrAfter.getTime()) {
    return refuse('expired', `${what} expired at ${notOnOrAfter.toISOString()}; it is ${now.toISOString()}`);
  }
  return undefined;
}
