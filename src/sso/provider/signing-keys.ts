/**
 * The keys Roster's OpenID Provider signs ID tokens and logout tokens with, kept in
 * `oidc_signing_keys` (the private part sealed) so that every instance signs with the same key.
 * One key is active; a rotated-out key stays published until the tokens it signed have expired.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { desc, gt, isNull, max, or, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { sealContext, type SecretBox } from '../../secrets/index.ts';

const keys = schema.oidcSigningKeys;
const ALG = 'RS256';
const LOCK = 'roster.oidc_signing_keys';

/**
 * The longest life of anything a signing key signs: the ID token (one hour). Access and refresh
 * tokens are opaque and logout tokens live two minutes, so a retired key must stay published at
 * least this long.
 */
export const LONGEST_SIGNED_TOKEN_SECONDS = 3600;

const signingKeyContext = (kid: string) => sealContext('oidc_signing_keys', kid);

/** Creates the first signing key unless an active one exists; safe when several instances start at once. */
export async function ensureSigningKey(db: Database, box: SecretBox): Promise<{ kid: string; created: boolean }> {
  return withTransaction(db, async (tx) => {
    await lock(tx);
    const [active] = await tx.select({ kid: keys.kid }).from(keys).where(isNull(keys.retiredAt)).orderBy(desc(keys.createdAt)).limit(1);
    if (active) return { kid: active.kid, created: false };
    const kid = await insertNewKey(tx, box);
    return { kid, created: true };
  });
}

/**
 * Makes a new key the active one. The keys it replaces are retired now and stay in JWKS for
 * `publishFor` seconds, which must cover the longest-lived token they signed.
 */
export async function rotateSigningKeys(
  db: Database,
  box: SecretBox,
  options: { publishFor: number; now?: Date },
): Promise<{ kid: string; retired: string[] }> {
  if (!Number.isInteger(options.publishFor) || options.publishFor < LONGEST_SIGNED_TOKEN_SECONDS) {
    throw new DomainError('invalid_input', `a retired key must stay published at least ${LONGEST_SIGNED_TOKEN_SECONDS} seconds, as long as the tokens it signed`, {
      details: { field: 'publishFor' },
    });
  }
  const now = options.now ?? new Date();
  return withTransaction(db, async (tx) => {
    await lock(tx);
    const retired = await tx
      .update(keys)
      .set({ retiredAt: now, publishedUntil: new Date(now.getTime() + options.publishFor * 1000) })
      .where(isNull(keys.retiredAt))
      .returning({ kid: keys.kid });
    const kid = await insertNewKey(tx, box);
    return { kid, retired: retired.map((row) => row.kid) };
  });
}

export interface ProviderKeys {
  /** For oidc-provider's `jwks` option: the active private key first, then the retired ones still published. */
  jwks: { keys: JWK[] };
  /** When the next retired key stops being published, or undefined when none is. */
  nextExpiry: Date | undefined;
}

/** The private keys the provider holds at `now`: it signs with the first and publishes the public parts of all. */
export async function providerJwks(db: Database, box: SecretBox, now: Date = new Date()): Promise<ProviderKeys> {
  const rows = await db
    .select()
    .from(keys)
    .where(or(isNull(keys.retiredAt), gt(keys.publishedUntil, now)))
    .orderBy(sql`${keys.retiredAt} is not null`, desc(keys.createdAt), desc(keys.kid));
  const jwks = rows.map((row) => JSON.parse(box.open(row.sealedPrivateJwk, signingKeyContext(row.kid))) as JWK);
  const expiries = rows.flatMap((row) => (row.retiredAt !== null && row.publishedUntil !== null ? [row.publishedUntil.getTime()] : []));
  return { jwks: { keys: jwks }, nextExpiry: expiries.length === 0 ? undefined : new Date(Math.min(...expiries)) };
}

/**
 * A cheap fingerprint of the key table: it changes when a key is created or retired, which is when
 * running providers must reload their keys.
 */
export async function signingKeysVersion(db: Database): Promise<string> {
  const [row] = await db
    .select({ created: max(keys.createdAt), retired: max(keys.retiredAt) })
    .from(keys);
  return `${row?.created?.toISOString() ?? '-'}/${row?.retired?.toISOString() ?? '-'}`;
}

async function lock(tx: Database): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${LOCK}))`);
}

async function insertNewKey(tx: Database, box: SecretBox): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const common = { kid, alg: ALG, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), ...common };
  await tx.insert(keys).values({
    kid,
    alg: ALG,
    publicJwk: { ...publicJwk, ...common },
    sealedPrivateJwk: box.seal(JSON.stringify(privateJwk), signingKeyContext(kid)),
  });
  return kid;
}
