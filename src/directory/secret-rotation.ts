/**
 * Changing ROSTER_SECRET: every value sealed with the previous secret's key is opened and sealed
 * again with the new one, in one transaction, so the database never holds a mix that the new
 * secret alone cannot open. The box must hold both secrets (ROSTER_SECRET and
 * ROSTER_SECRET_PREVIOUS); a value that neither opens stops the rotation before anything changes.
 */
import { eq, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { sealContext, SecretBoxError, type SecretBox } from '../secrets/index.ts';
import { recordAudit } from './audit.ts';
import type { Actor } from './context.ts';
import { mailSealContext } from './mail/index.ts';
import { SECRET_PROBE } from './secret-check.ts';

/** How many values of each kind were sealed with an older key and are now sealed with the current one. */
export interface ResealedSecrets {
  connections: number;
  apps: number;
  signingKeys: number;
  flows: number;
  /** Emails in the outbox (their bodies hold live links). */
  mails: number;
  probe: number;
}

const SYSTEM: Actor = { type: 'system', id: 'roster' };

/**
 * Re-seals every stale sealed value with the box's current key. Rows are locked while they are
 * rewritten; a value sealed meanwhile by a server still running with the old secret as
 * ROSTER_SECRET would be missed, which is why servers restart with the new secret (and the old one
 * as ROSTER_SECRET_PREVIOUS) before the rotation runs.
 */
export async function rotateSealedSecrets(db: Database, box: SecretBox, actor: Actor = SYSTEM): Promise<{ keyId: string; resealed: ResealedSecrets }> {
  return withTransaction(db, async (tx) => {
    const c = schema.ssoConnections;
    const connections = await reseal(
      box,
      'SSO connection',
      await tx.select({ id: c.id, sealed: c.sealedSecret }).from(c).for('update'),
      (id) => sealContext('sso_connections', id),
      (id, sealed) => tx.update(c).set({ sealedSecret: sealed }).where(eq(c.id, id)),
    );

    const a = schema.oidcClients;
    const apps = await reseal(
      box,
      'app',
      await tx.select({ id: a.clientId, sealed: a.sealedSecret }).from(a).for('update'),
      (clientId) => sealContext('oidc_clients', clientId),
      (id, sealed) => tx.update(a).set({ sealedSecret: sealed }).where(eq(a.clientId, id)),
    );

    const k = schema.oidcSigningKeys;
    const signingKeys = await reseal(
      box,
      'signing key',
      await tx.select({ id: k.kid, sealed: k.sealedPrivateJwk }).from(k).for('update'),
      (kid) => sealContext('oidc_signing_keys', kid),
      (kid, sealed) => tx.update(k).set({ sealedPrivateJwk: sealed }).where(eq(k.kid, kid)),
    );

    const f = schema.ssoFlows;
    const flowRows = await tx.select({ id: f.id, sealed: f.sealedOidcSecrets }).from(f).for('update');
    const flows = await reseal(
      box,
      'sign-in flow',
      flowRows.flatMap((row) => (row.sealed === null ? [] : [{ id: row.id, sealed: row.sealed }])),
      (id) => sealContext('sso_flows', id),
      (id, sealed) => tx.update(f).set({ sealedOidcSecrets: sealed }).where(eq(f.id, id)),
    );

    // The outbox may hold thousands of emails: their new seals are written in one statement.
    const o = schema.mailOutbox;
    const resealedMails: { id: string; sealed: string }[] = [];
    const mails = await reseal(
      box,
      'email',
      await tx.select({ id: o.id, sealed: o.bodySealed }).from(o).for('update'),
      mailSealContext,
      async (id, sealed) => resealedMails.push({ id, sealed }),
    );
    if (resealedMails.length > 0) {
      await tx.execute(sql`
        update mail_outbox set body_sealed = r.sealed
        from jsonb_to_recordset(${JSON.stringify(resealedMails)}::jsonb) as r(id uuid, sealed text)
        where mail_outbox.id = r.id`);
    }

    const p = schema.secretCheck;
    const probe = await reseal(
      box,
      'secret check',
      await tx.select({ id: p.id, sealed: p.sealedProbe }).from(p).where(eq(p.id, SECRET_PROBE.id)).for('update'),
      () => SECRET_PROBE.context,
      (id, sealed) => tx.update(p).set({ sealedProbe: sealed }).where(eq(p.id, id)),
    );

    const resealed = { connections, apps, signingKeys, flows, mails, probe };
    await recordAudit(tx, actor, {
      organizationId: null,
      action: 'secret.rotated',
      target: { type: 'secret', id: box.currentKeyId },
      details: { ...resealed },
    });
    return { keyId: box.currentKeyId, resealed };
  });
}

async function reseal(
  box: SecretBox,
  what: string,
  rows: readonly { id: string; sealed: string }[],
  context: (id: string) => string,
  write: (id: string, sealed: string) => PromiseLike<unknown>,
): Promise<number> {
  let count = 0;
  for (const row of rows) {
    if (!box.isStale(row.sealed)) continue;
    let plain: string;
    try {
      plain = box.open(row.sealed, context(row.id));
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      throw new DomainError(
        'precondition_failed',
        `nothing was re-sealed: the ${what} ${row.id} does not open (${error.message}); set ROSTER_SECRET_PREVIOUS to the secret it was sealed with and ROSTER_SECRET to the new one`,
        { cause: error },
      );
    }
    await write(row.id, box.seal(plain, context(row.id)));
    count++;
  }
  return count;
}
