/**
 * Email domains of an organization, for home-realm discovery: a `login_hint` of someone@acme.com
 * routes to the organization that verified acme.com. Only verified domains route, and a domain is
 * verified for one organization at most (a unique index), so routing is never ambiguous. Today an
 * operator vouches for a domain; a DNS TXT check can later set `verifiedAt` behind the same verb.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError, isUniqueViolation } from '../../errors.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import { recordAudit } from '../audit.ts';
import type { OrgContext } from '../context.ts';
import { requirePermission, requireRead } from '../access/index.ts';

export interface OrganizationDomain {
  id: string;
  domain: string;
  verified: boolean;
  verifiedAt: Date | null;
  createdAt: Date;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cased, IDNA-encoded, no trailing dot; undefined when it is not a domain name. */
export function normaliseDomain(raw: string): string | undefined {
  let ascii: string;
  try {
    ascii = new URL(`http://${raw.trim().replace(/\.$/, '')}`).hostname;
  } catch {
    return undefined;
  }
  // The URL parser also accepts "acme.com/path" or "user@acme.com"; only a bare name may pass.
  const isAscii = [...raw].every((ch) => ch.charCodeAt(0) < 0x80);
  if (isAscii && ascii !== raw.trim().replace(/\.$/, '').toLowerCase()) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || ascii.length > 253 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return ascii;
}

export async function addOrganizationDomain(ctx: OrgContext, input: { domain: string; verified: boolean }): Promise<OrganizationDomain> {
  requirePermission(ctx, 'sso.manage', 'adding a domain');
  const domain = normaliseDomain(input.domain);
  if (domain === undefined) {
    throw new DomainError('invalid_input', `"${input.domain}" is not a domain name (expected e.g. acme.com)`, { details: { field: 'domain' } });
  }
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const [row] = await tx
        .insert(schema.organizationDomains)
        .values({ id: newId(), organizationId: ctx.organization.id, domain, verifiedAt: input.verified ? new Date() : null })
        .onConflictDoUpdate({
          target: [schema.organizationDomains.organizationId, schema.organizationDomains.domain],
          // Adding a domain again may verify it; it never un-verifies one.
          set: input.verified ? { verifiedAt: new Date() } : { domain },
        })
        .returning();
      if (!row) throw new Error('domain insert returned nothing');
      await recordAudit(tx, ctx.actor, {
        organizationId: ctx.organization.id,
        action: 'domain.added',
        target: { type: 'domain', id: row.id },
        details: { domain, verified: row.verifiedAt !== null },
      });
      return toDomain(row);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'organization_domains_verified_domain_key')) {
      throw new DomainError('conflict', `${domain} is already verified for another organization`);
    }
    throw error;
  }
}

export async function listOrganizationDomains(ctx: OrgContext): Promise<OrganizationDomain[]> {
  requireRead(ctx, 'directory');
  const rows = await ctx.db
    .select()
    .from(schema.organizationDomains)
    .where(eq(schema.organizationDomains.organizationId, ctx.organization.id))
    .orderBy(asc(schema.organizationDomains.domain));
  return rows.map(toDomain);
}

/** The organization that verified the domain of this email address, if any. */
export async function organizationForEmail(db: Database, email: string): Promise<{ id: OrganizationId; slug: string } | undefined> {
  const at = email.lastIndexOf('@');
  if (at < 1) return undefined;
  const domain = normaliseDomain(email.slice(at + 1));
  if (domain === undefined) return undefined;
  const [row] = await db
    .select({ id: schema.organizations.id, slug: schema.organizations.slug })
    .from(schema.organizationDomains)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.organizationDomains.organizationId))
    .where(and(eq(schema.organizationDomains.domain, domain), isNotNull(schema.organizationDomains.verifiedAt)));
  return row ? { id: row.id as OrganizationId, slug: row.slug } : undefined;
}

function toDomain(row: typeof schema.organizationDomains.$inferSelect): OrganizationDomain {
  return { id: row.id, domain: row.domain, verified: row.verifiedAt !== null, verifiedAt: row.verifiedAt, createdAt: row.createdAt };
}
