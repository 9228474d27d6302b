/**
 * Bearer secrets (SCIM tokens, operator API keys): 256 random bits behind a readable kind prefix,
 * stored only as a SHA-256 hash. Plain SHA-256 suffices because the secret is random, not a password.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface IssuedSecret {
  /** Shown once to whoever asked for it, never stored. */
  readonly secret: string;
  /** A short leading part kept in clear so people can tell their secrets apart. */
  readonly prefix: string;
  readonly hash: string;
}

const VISIBLE_RANDOM_CHARS = 6;

export function issueSecret(kind: 'scim' | 'key'): IssuedSecret {
  const secret = `rst_${kind}_${randomBytes(32).toString('base64url')}`;
  const prefix = secret.slice(0, `rst_${kind}_`.length + VISIBLE_RANDOM_CHARS);
  return { secret, prefix, hash: hashSecret(secret) };
}

/** Every SCIM request hashes its token: the one-shot hash skips the Hash object createHash builds. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Compares two hex SHA-256 digests in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
