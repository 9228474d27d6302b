/**
 * SSO connections: an organization's SAML or OIDC identity provider. The domain stores what the
 * protocol layer resolved (metadata parsed, discovery pinned); it checks what must hold whatever
 * the protocol: a SAML connection trusts at least one certificate, an OIDC one pins its endpoints,
 * and the connection's one secret is sealed with ROSTER_SECRET before it is written.
 */
import { and, asc, eq } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import type { OrganizationId } from '../../ids.ts';
import { sealContext, type SecretBox } from '../../secrets/index.ts';
import { recordAudit } from '../audit.ts';
import type { OrgContext } from '../context.ts';
import { requirePermission, requireRead } from '../access/index.ts';

export type SsoConnectionType = 'saml' | 'oidc';

export interface SsoConnectionInput {
  /** Chosen by the caller, because the connection's own URLs (entity ID, ACS, redirect URI) contain it. */
  id: string;
  type: SsoConnectionType;
  name: string;
  preset: string | undefined;
  settings: Record<string, unknown>;
  mapping: Record<string, unknown>;
  /** SAML: the SP private key (PEM). OIDC: the client secret. */
  secret: string;
}

export interface SsoConnectionInfo {
  id: string;
  organizationId: OrganizationId;
  type: SsoConnectionType;
  name: string;
  preset: string | null;
  settings: Record<string, unknown>;
  mapping: Record<string, unknown>;
  createdAt: Date;
}

/** A connection as a sign-in needs it: its organization and its secret, opened. */
export interface SsoConnectionForSignIn extends SsoConnectionInfo {
  organizationSlug: string;
  secret: string;
}

const secretContext = (id: string) => sealContext('sso_connections', id);

export async function createSsoConnection(ctx: OrgContext, box: SecretBox, input: SsoConnectionInput): Promise<SsoConnectionInfo> {
  requirePermission(ctx, 'sso.manage', 'creating an SSO connection');
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new DomainError('invalid_input', 'connection name must be 1 to 200 characters', { details: { field: 'name' } });
  }
  if (input.type === 'saml') {
    const certificates = input.settings.certificates;
    if (!Array.isArray(certificates) || certificates.length === 0) {
      throw new DomainError('invalid_input', 'a SAML connection needs at least one IdP signing certificate', { details: { field: 'certificates' } });
    }
  }
  if (input.type === 'oidc' && typeof input.settings.issuer !== 'string') {
    throw new DomainError('invalid_input', 'an OIDC connection needs its issuer', { details: { field: 'issuer' } });
  }
  if (input.secret.length === 0) throw new DomainError('invalid_input', 'the connection secret is empty', { details: { field: 'secret' } });

  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(schema.ssoConnections)
      .values({
        id: input.id,
        organizationId: ctx.organization.id,
        type: input.type,
        name,
        preset: input.preset ?? null,
        settings: input.settings,
        mapping: input.mapping,
        sealedSecret: box.seal(input.secret, secretContext(input.id)),
      })
      .returning();
    if (!row) throw new Error('connection insert returned nothing');
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'sso_connection.created',
      target: { type: 'sso_connection', id: row.id },
      details: { type: row.type, name, preset: row.preset },
    });
    return toInfo(row);
  });
}

export async function listSsoConnections(ctx: OrgContext): Promise<SsoConnectionInfo[]> {
  requireRead(ctx, 'directory');
  const rows = await ctx.db
    .select()
    .from(schema.ssoConnections)
    .where(eq(schema.ssoConnections.organizationId, ctx.organization.id))
    .orderBy(asc(schema.ssoConnections.createdAt), asc(schema.ssoConnections.id));
  return rows.map(toInfo);
}

export async function getSsoConnection(ctx: OrgContext, id: string): Promise<SsoConnectionInfo> {
  requireRead(ctx, 'directory');
  const [row] = await ctx.db
    .select()
    .from(schema.ssoConnections)
    .where(and(eq(schema.ssoConnections.organizationId, ctx.organization.id), eq(schema.ssoConnections.id, id)));
  if (!row) throw new DomainError('not_found', `no SSO connection ${id} in this organization`);
  return toInfo(row);
}

/**
 * The connection a sign-in URL names, with its organization and opened secret. Like a SCIM token,
 * the connection id is what tells Roster the organization; undefined when there is none.
 */
export async function loadConnectionForSignIn(db: Database, box: SecretBox, id: string): Promise<SsoConnectionForSignIn | undefined> {
  const [row] = await db
    .select({ connection: schema.ssoConnections, organizationSlug: schema.organizations.slug })
    .from(schema.ssoConnections)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.ssoConnections.organizationId))
    .where(eq(schema.ssoConnections.id, id));
  if (!row) return undefined;
  return { ...toInfo(row.connection), organizationSlug: row.organizationSlug, secret: box.open(row.connection.sealedSecret, secretContext(id)) };
}

/** The connections of an organization, by slug, for home-realm discovery: `organization=<slug>`. */
export async function connectionsOfOrganization(db: Database, slug: string): Promise<SsoConnectionInfo[]> {
  const rows = await db
    .select({ connection: schema.ssoConnections })
    .from(schema.ssoConnections)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.ssoConnections.organizationId))
    .where(eq(schema.organizations.slug, slug))
    .orderBy(asc(schema.ssoConnections.createdAt));
  return rows.map((r) => toInfo(r.connection));
}

function toInfo(row: typeof schema.ssoConnections.$inferSelect): SsoConnectionInfo {
  return {
    id: row.id,
    organizationId: row.organizationId as OrganizationId,
    type: row.type,
    name: row.name,
    preset: row.preset,
    settings: row.settings,
    mapping: row.mapping,
    createdAt: row.createdAt,
  };
}

export interface SsoConnectionChanges {
  name?: string;
  /** A mapping already validated by the protocol layer (the preset's, edited). */
  mapping?: Record<string, unknown>;
  /** Settings to replace, key by key (e.g. IdP certificates during a rotation, allowIdpInitiated). */
  settings?: Record<string, unknown>;
}

/**
 * Changes a connection in place (its URLs and key pair stay, so the IdP's configuration does not
 * change). A SAML connection still trusts at least one certificate afterwards.
 */
export async function updateSsoConnection(ctx: OrgContext, id: string, changes: SsoConnectionChanges): Promise<SsoConnectionInfo> {
  requirePermission(ctx, 'sso.manage', 'changing an SSO connection');
  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .select()
      .from(schema.ssoConnections)
      .where(and(eq(schema.ssoConnections.organizationId, ctx.organization.id), eq(schema.ssoConnections.id, id)))
      .for('update');
    if (!row) throw new DomainError('not_found', `no SSO connection ${id} in this organization`);
    const settings = { ...row.settings, ...(changes.settings ?? {}) };
    if (row.type === 'saml' && (!Array.isArray(settings.certificates) || settings.certificates.length === 0)) {
      throw new DomainError('invalid_input', 'a SAML connection needs at least one IdP signing certificate', { details: { field: 'certificates' } });
    }
    const name = changes.name?.trim() ?? row.name;
    if (name.length === 0 || name.length > 200) throw new DomainError('invalid_input', 'connection name must be 1 to 200 characters', { details: { field: 'name' } });
    const [updated] = await tx
      .update(schema.ssoConnections)
      .set({ name, settings, mapping: changes.mapping ?? row.mapping, updatedAt: new Date() })
      .where(eq(schema.ssoConnections.id, id))
      .returning();
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'sso_connection.updated',
      target: { type: 'sso_connection', id },
      details: { changed: Object.keys(changes).filter((k) => changes[k as keyof SsoConnectionChanges] !== undefined), settings: Object.keys(changes.settings ?? {}) },
    });
    return toInfo(updated ?? row);
  });
}
