/** Organizations: the tenants. Slugs are what operators and URLs use to name them. */
import { asc, eq } from 'drizzle-orm';
import { schema, withTransaction } from '../db/index.ts';
import { DomainError, isUniqueViolation } from '../errors.ts';
import { newId, type OrganizationId } from '../ids.ts';
import { requirePermission, requireRead } from './access/index.ts';
import { recordAudit } from './audit.ts';
import { inOrganization, nowOf, type Context, type OrgContext } from './context.ts';
import { seatsUsed } from './members/index.ts';

export interface Organization {
  id: OrganizationId;
  slug: string;
  name: string;
  createdAt: Date;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function validateSlug(slug: string): string {
  if (!SLUG.test(slug)) {
    throw new DomainError(
      'invalid_input',
      `slug "${slug}" is not valid: use 1 to 63 lowercase letters, digits and inner hyphens`,
      { details: { field: 'slug' } },
    );
  }
  return slug;
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new DomainError('invalid_input', 'name must be 1 to 200 characters', { details: { field: 'name' } });
  }
  return trimmed;
}

export async function createOrganization(ctx: Context, input: { slug: string; name: string }): Promise<Organization> {
  const slug = validateSlug(input.slug);
  const name = validateName(input.name);
  return withTransaction(ctx.db, async (tx) => {
    const id = newId<OrganizationId>();
    const [row] = await tx
      .insert(schema.organizations)
      .values({ id, slug, name })
      .onConflictDoNothing({ target: schema.organizations.slug })
      .returning();
    if (!row) throw new DomainError('conflict', `an organization with slug "${slug}" already exists`);
    await recordAudit(tx, ctx.actor, {
      organizationId: id,
      action: 'organization.created',
      target: { type: 'organization', id },
      details: { slug, name },
    });
    return toOrganization(row);
  }).catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new DomainError('conflict', `an organization with slug "${slug}" already exists`);
    throw error;
  });
}

export async function listOrganizations(ctx: Context): Promise<Organization[]> {
  const rows = await ctx.db.select().from(schema.organizations).orderBy(asc(schema.organizations.slug));
  return rows.map(toOrganization);
}

/** Resolves a slug to an organization-scoped context, the door into every scoped verb. */
export async function enterOrganization(ctx: Context, slug: string): Promise<OrgContext> {
  const [row] = await ctx.db
    .select({ id: schema.organizations.id, slug: schema.organizations.slug })
    .from(schema.organizations)
    .where(eq(schema.organizations.slug, slug))
    .limit(1);
  if (!row) throw new DomainError('not_found', `no organization with slug "${slug}"`);
  return inOrganization(ctx, { id: row.id as OrganizationId, slug: row.slug });
}

function toOrganization(row: typeof schema.organizations.$inferSelect): Organization {
  return { id: row.id as OrganizationId, slug: row.slug, name: row.name, createdAt: row.createdAt };
}

/** The largest seat limit (the column is a 32-bit integer). */
export const MAX_SEAT_LIMIT = 2_147_483_647;
export const MIN_INVITATION_TTL_HOURS = 1;
export const MAX_INVITATION_TTL_HOURS = 8760;

export interface OrganizationSettings {
  slug: string;
  name: string;
  /** How many seats (active members and live invitations) it may use; null is unlimited. */
  seatLimit: number | null;
  seatsUsed: number;
  invitationTtlHours: number;
}

export interface OrganizationSettingsChanges {
  /** null: unlimited. Only owners (billing.manage) or operators. */
  seatLimit?: number | null | undefined;
  /** 1 to 8760. Needs members.manage. */
  invitationTtlHours?: number | undefined;
}

/** The settings as every member of the organization may read them (an app, with members:read). */
export async function getOrganizationSettings(ctx: OrgContext): Promise<OrganizationSettings> {
  requireRead(ctx, 'members');
  const [row] = await ctx.db.select().from(schema.organizations).where(eq(schema.organizations.id, ctx.organization.id));
  if (!row) throw new DomainError('not_found', `no organization with slug "${ctx.organization.slug}"`);
  return settingsOf(row, await seatsUsed(ctx.db, ctx.organization.id, nowOf(ctx)));
}

/**
 * Changes the seat limit and the invitation lifetime. A limit below the seats in use is accepted:
 * nobody loses their seat, but no new seat is taken until usage falls under it; `warnings` says so.
 */
export async function updateOrganizationSettings(
  ctx: OrgContext,
  changes: OrganizationSettingsChanges,
): Promise<OrganizationSettings & { warnings: string[] }> {
  const set: Partial<typeof schema.organizations.$inferInsert> = {};
  if (changes.seatLimit !== undefined) {
    requirePermission(ctx, 'billing.manage', 'changing the seat limit');
    const limit = changes.seatLimit;
    if (limit !== null && (!Number.isInteger(limit) || limit < 0 || limit > MAX_SEAT_LIMIT)) {
      throw new DomainError('invalid_input', 'seatLimit must be a whole number from 0, or null for unlimited', { details: { field: 'seatLimit' } });
    }
    set.seatLimit = limit;
  }
  if (changes.invitationTtlHours !== undefined) {
    requirePermission(ctx, 'members.manage', 'changing how long invitations last');
    const hours = changes.invitationTtlHours;
    if (!Number.isInteger(hours) || hours < MIN_INVITATION_TTL_HOURS || hours > MAX_INVITATION_TTL_HOURS) {
      throw new DomainError('invalid_input', `invitationTtlHours must be a whole number from ${MIN_INVITATION_TTL_HOURS} to ${MAX_INVITATION_TTL_HOURS}`, {
        details: { field: 'invitationTtlHours' },
      });
    }
    set.invitationTtlHours = hours;
  }
  if (Object.keys(set).length === 0) {
    throw new DomainError('invalid_input', 'nothing to change: give seatLimit or invitationTtlHours');
  }
  return withTransaction(ctx.db, async (tx) => {
    // The same lock seat checks take (members/seats.ts): a limit never changes under one.
    const [row] = await tx.select().from(schema.organizations).where(eq(schema.organizations.id, ctx.organization.id)).for('update');
    if (!row) throw new DomainError('not_found', `no organization with slug "${ctx.organization.slug}"`);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(set) as [keyof typeof set, unknown][]) {
      if (row[key] !== value) {
        before[key] = row[key];
        after[key] = value;
      }
    }
    let current = row;
    if (Object.keys(after).length > 0) {
      const [updated] = await tx
        .update(schema.organizations)
        .set({ ...after, updatedAt: nowOf(ctx) })
        .where(eq(schema.organizations.id, ctx.organization.id))
        .returning();
      current = updated ?? row;
      await recordAudit(tx, ctx.actor, {
        organizationId: ctx.organization.id,
        action: 'organization.settings_changed',
        target: { type: 'organization', id: ctx.organization.id },
        before,
        after,
      });
    }
    const used = await seatsUsed(tx, ctx.organization.id, nowOf(ctx));
    const warnings =
      current.seatLimit !== null && used > current.seatLimit
        ? [`${used} seats are in use, more than the limit of ${current.seatLimit}: nobody loses their seat, but no new seat can be taken until usage falls below the limit`]
        : [];
    return { ...settingsOf(current, used), warnings };
  });
}

function settingsOf(row: typeof schema.organizations.$inferSelect, used: number): OrganizationSettings {
  return { slug: row.slug, name: row.name, seatLimit: row.seatLimit, seatsUsed: used, invitationTtlHours: row.invitationTtlHours };
}
