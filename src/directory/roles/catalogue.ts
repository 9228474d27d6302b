/**
 * The permission catalogue: Roster's own permissions (fixed in access/permissions.ts) and the ones
 * the app registers, one list for every organization. Custom roles are made from it, and built-in
 * roles' effective permissions are resolved over it (an owner holds the app's permissions too).
 */
import { asc, eq, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { recordAudit } from '../audit.ts';
import type { Context } from '../context.ts';
import { isRosterPermission, requireOperator, ROSTER_PERMISSIONS, roleGrants } from '../access/index.ts';

export type PermissionSource = 'roster' | 'app';

export interface Permission {
  key: string;
  description: string | null;
  source: PermissionSource;
}

/** The format the database's CHECK enforces: dotted or colon-separated lowercase segments. */
const PERMISSION_KEY = /^[a-z][a-z0-9_-]*([.:][a-z0-9_-]+)*$/;
const MAX_KEY_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 500;

function validatePermissionKey(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !PERMISSION_KEY.test(key)) {
    throw new DomainError(
      'invalid_input',
      `permission key "${key}" is not valid: use lowercase segments of letters, digits, "_" or "-" joined by "." or ":" (e.g. tickets.delete), at most ${MAX_KEY_LENGTH} characters`,
      { details: { field: 'key' } },
    );
  }
  return key;
}

function validateDescription(description: string | null | undefined): string | null | undefined {
  if (description === undefined || description === null) return description;
  const trimmed = description.trim();
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
    throw new DomainError('invalid_input', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, { details: { field: 'description' } });
  }
  return trimmed === '' ? null : trimmed;
}

/** Roster's permissions in their declared order, then the app's by key. */
export async function listPermissions(ctx: Context): Promise<Permission[]> {
  const rows = await ctx.db.select().from(schema.appPermissions).orderBy(asc(schema.appPermissions.key));
  return [
    ...Object.entries(ROSTER_PERMISSIONS).map(([key, description]) => ({ key, description, source: 'roster' as const })),
    ...rows.map((r) => ({ key: r.key, description: r.description, source: 'app' as const })),
  ];
}

/** Every permission key there is, in catalogue order (Roster's first, then the app's by key). */
export async function catalogueKeys(db: Database): Promise<string[]> {
  const rows = await db.select({ key: schema.appPermissions.key }).from(schema.appPermissions).orderBy(asc(schema.appPermissions.key));
  return [...Object.keys(ROSTER_PERMISSIONS), ...rows.map((r) => r.key)];
}

/**
 * What a role lets its holders do, over the catalogue: built-in roles by their definition
 * (roleGrants), custom roles what they list, never billing.
 */
export function effectivePermissions(role: string, custom: readonly string[], catalogue: readonly string[]): string[] {
  const listed = new Set(custom);
  return catalogue.filter((key) => roleGrants(role, listed, key));
}

/**
 * Registers an app permission, or updates its description: idempotent, so the app may register
 * its permissions at every start. A description left out keeps the one registered.
 */
export async function registerAppPermission(
  ctx: Context,
  input: { key: string; description?: string | null | undefined },
): Promise<Permission & { created: boolean }> {
  requireOperator(ctx.actor, 'registering app permissions (shared by every organization)');
  const key = validatePermissionKey(input.key);
  if (isRosterPermission(key)) {
    throw new DomainError('conflict', `"${key}" is one of Roster's own permissions; app permissions need keys of their own`, { details: { field: 'key' } });
  }
  const description = validateDescription(input.description);
  return withTransaction(ctx.db, async (tx) => {
    const t = schema.appPermissions;
    const [existing] = await tx.select().from(t).where(eq(t.key, key)).for('update');
    if (existing) {
      if (description === undefined || description === existing.description) {
        return { key, description: existing.description, source: 'app' as const, created: false };
      }
      await tx.update(t).set({ description, updatedAt: sql`now()` }).where(eq(t.key, key));
      await recordAudit(tx, ctx.actor, {
        organizationId: null,
        action: 'permission.updated',
        target: { type: 'permission', id: key },
        before: { description: existing.description },
        after: { description },
      });
      return { key, description, source: 'app' as const, created: false };
    }
    // Another registration of the same key may commit first: then this one is an update of it.
    const [row] = await tx
      .insert(t)
      .values({ key, description: description ?? null })
      .onConflictDoUpdate({ target: t.key, set: { description: description === undefined ? sql`${t.description}` : description, updatedAt: sql`now()` } })
      .returning({ key: t.key, description: t.description, inserted: sql<boolean>`(xmax = 0)` });
    await recordAudit(tx, ctx.actor, {
      organizationId: null,
      action: 'permission.registered',
      target: { type: 'permission', id: key },
      after: { description: row?.description ?? null },
    });
    return { key, description: row?.description ?? null, source: 'app' as const, created: row?.inserted ?? true };
  });
}

/**
 * Removes an app permission from the catalogue. Refused while a custom role of any organization
 * lists it: the message names those roles, which must drop it first.
 */
export async function unregisterAppPermission(ctx: Context, input: { key: string }): Promise<Permission> {
  requireOperator(ctx.actor, 'unregistering app permissions (shared by every organization)');
  const key = input.key;
  if (isRosterPermission(key)) {
    throw new DomainError('invalid_input', `"${key}" is one of Roster's own permissions, which cannot be unregistered`, { details: { field: 'key' } });
  }
  return withTransaction(ctx.db, async (tx) => {
    const t = schema.appPermissions;
    // Locked first: a role being created with this permission holds a share lock on it (roles.ts),
    // so either that role is seen below or its creation finds the permission gone.
    const [existing] = await tx.select().from(t).where(eq(t.key, key)).for('update');
    if (!existing) throw new DomainError('not_found', `no app permission "${key}" is registered`);
    const users = await tx
      .select({ slug: schema.organizations.slug, role: schema.roles.key })
      .from(schema.roles)
      .innerJoin(schema.organizations, eq(schema.organizations.id, schema.roles.organizationId))
      .where(sql`${schema.roles.permissions} @> ${JSON.stringify([key])}::jsonb`)
      .orderBy(asc(schema.organizations.slug), asc(schema.roles.key));
    if (users.length > 0) {
      const named = users.map((u) => `${u.slug}/${u.role}`);
      const shown = named.length > 10 ? `${named.slice(0, 10).join(', ')} and ${named.length - 10} more` : named.join(', ');
      throw new DomainError('conflict', `"${key}" is still granted by custom role${named.length === 1 ? '' : 's'} ${shown}; remove it from them first`, {
        details: { roles: users.map((u) => ({ organization: u.slug, role: u.role })) },
      });
    }
    await tx.delete(t).where(eq(t.key, key));
    await recordAudit(tx, ctx.actor, {
      organizationId: null,
      action: 'permission.unregistered',
      target: { type: 'permission', id: key },
      before: { description: existing.description },
    });
    return { key, description: existing.description, source: 'app' as const };
  });
}
