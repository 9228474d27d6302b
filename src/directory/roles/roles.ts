/**
 * An organization's roles: the four built-in ones (rows made by a trigger, defined in code) and
 * custom ones made from the permission catalogue. A custom role never holds billing.manage, and a
 * member editing roles can only grant permissions they hold themselves, so roles.assign is not a
 * way to more power.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError, isForeignKeyViolation } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { recordAudit } from '../audit.ts';
import type { OrgContext } from '../context.ts';
import { can, isBuiltinRole, isRosterPermission, requirePermission, requireRead, ROSTER_PERMISSIONS } from '../access/index.ts';
import { catalogueKeys, effectivePermissions } from './catalogue.ts';

export interface Role {
  key: string;
  name: string;
  description: string | null;
  builtin: boolean;
  /** What holders may do: built-ins resolved over the whole catalogue, custom roles what they list. */
  permissions: string[];
  /** Members holding the role, whatever their status (invited and deactivated ones too). */
  members: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoleInput {
  key: string;
  name: string;
  description?: string | null | undefined;
  permissions: readonly string[];
}

export interface RoleChanges {
  name?: string | undefined;
  description?: string | null | undefined;
  permissions?: readonly string[] | undefined;
}

const ROLE_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const MAX_NAME_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 500;
/** Only owners change seats and billing: no custom role may hold it. */
const OWNER_ONLY = 'billing.manage';

type RoleRow = typeof schema.roles.$inferSelect;

export async function listRoles(ctx: OrgContext): Promise<Role[]> {
  requireRead(ctx, 'roles');
  const [rows, holders, catalogue] = await Promise.all([
    ctx.db
      .select()
      .from(schema.roles)
      .where(eq(schema.roles.organizationId, ctx.organization.id))
      // Built-ins first, in their defined order (owner … viewer), then custom roles by key.
      .orderBy(sql`${schema.roles.builtin} desc`, sql`array_position(array['owner','admin','member','viewer'], ${schema.roles.key})`, asc(schema.roles.key)),
    memberCounts(ctx.db, ctx),
    catalogueKeys(ctx.db),
  ]);
  return rows.map((row) => toRole(row, holders.get(row.key) ?? 0, catalogue));
}

export async function createRole(ctx: OrgContext, input: RoleInput): Promise<Role> {
  requirePermission(ctx, 'roles.assign', 'creating roles');
  const key = validateKey(input.key);
  const name = validateName(input.name);
  const description = validateDescription(input.description) ?? null;
  return withTransaction(ctx.db, async (tx) => {
    const permissions = await validatePermissions(tx, ctx, input.permissions);
    const [row] = await tx
      .insert(schema.roles)
      .values({ id: newId(), organizationId: ctx.organization.id, key, name, description, permissions, builtin: false })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new DomainError('conflict', `a role with key "${key}" already exists in this organization`, { details: { field: 'key' } });
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'role.created',
      target: { type: 'role', id: key },
      after: { name, description, permissions },
    });
    return toRole(row, 0, await catalogueKeys(tx));
  });
}

/** Changes a custom role's name, description or permissions; built-in roles are defined by Roster. */
export async function updateRole(ctx: OrgContext, key: string, changes: RoleChanges): Promise<Role> {
  requirePermission(ctx, 'roles.assign', 'editing roles');
  const name = changes.name === undefined ? undefined : validateName(changes.name);
  const description = validateDescription(changes.description);
  return withTransaction(ctx.db, async (tx) => {
    const current = await findRole(tx, ctx, key, true);
    if (current.builtin) {
      throw new DomainError('precondition_failed', `"${key}" is a built-in role: its name and permissions are Roster's; create a custom role instead`);
    }
    // Editing a role one holds must not grant it more than one has: the check runs over what the role
    // would hold, not only over what is added.
    const permissions = changes.permissions === undefined ? undefined : await validatePermissions(tx, ctx, changes.permissions);
    const next = { name: name ?? current.name, description: description === undefined ? current.description : description, permissions: permissions ?? current.permissions };
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (next.name !== current.name) [before.name, after.name] = [current.name, next.name];
    if (next.description !== current.description) [before.description, after.description] = [current.description, next.description];
    if (!samePermissions(next.permissions, current.permissions)) [before.permissions, after.permissions] = [current.permissions, next.permissions];
    let row = current;
    if (Object.keys(after).length > 0) {
      const [updated] = await tx
        .update(schema.roles)
        .set({ ...next, updatedAt: sql`now()` })
        .where(eq(schema.roles.id, current.id))
        .returning();
      row = updated ?? current;
      await recordAudit(tx, ctx.actor, { organizationId: ctx.organization.id, action: 'role.updated', target: { type: 'role', id: key }, before, after });
    }
    const [held] = await tx
      .select({ n: count() })
      .from(schema.members)
      .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.role, key)));
    return toRole(row, held?.n ?? 0, await catalogueKeys(tx));
  });
}

/** Deletes a custom role nobody holds; while members hold it, the refusal says how many. */
export async function deleteRole(ctx: OrgContext, key: string): Promise<Role> {
  requirePermission(ctx, 'roles.assign', 'deleting roles');
  return withTransaction(ctx.db, async (tx) => {
    const current = await findRole(tx, ctx, key, true);
    if (current.builtin) throw new DomainError('precondition_failed', `"${key}" is a built-in role and cannot be deleted`);
    const [held] = await tx
      .select({ n: count() })
      .from(schema.members)
      .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.role, key)));
    const holders = held?.n ?? 0;
    if (holders > 0) throw heldBy(key, holders);
    await tx.delete(schema.roles).where(eq(schema.roles.id, current.id));
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'role.deleted',
      target: { type: 'role', id: key },
      before: { name: current.name, description: current.description, permissions: current.permissions },
    });
    return toRole(current, 0, await catalogueKeys(tx));
  }).catch((error: unknown) => {
    // A member given the role between the count and the delete: the foreign key refuses it.
    if (isForeignKeyViolation(error)) throw heldBy(key, 1);
    throw error;
  });
}

function heldBy(key: string, members: number): DomainError {
  return new DomainError('conflict', `role "${key}" is held by ${members} member${members === 1 ? '' : 's'}; give them another role first`, {
    details: { members },
  });
}

async function findRole(db: Database, ctx: OrgContext, key: string, lock = false): Promise<RoleRow> {
  const query = db
    .select()
    .from(schema.roles)
    .where(and(eq(schema.roles.organizationId, ctx.organization.id), eq(schema.roles.key, key)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new DomainError('not_found', `no role "${key}" in this organization`);
  return row;
}

async function memberCounts(db: Database, ctx: OrgContext): Promise<Map<string, number>> {
  const rows = await db
    .select({ role: schema.members.role, n: count() })
    .from(schema.members)
    .where(eq(schema.members.organizationId, ctx.organization.id))
    .groupBy(schema.members.role);
  return new Map(rows.map((r) => [r.role, r.n]));
}

function toRole(row: RoleRow, members: number, catalogue: readonly string[]): Role {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    builtin: row.builtin,
    permissions: effectivePermissions(row.key, row.builtin ? [] : row.permissions, catalogue),
    members,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function validateKey(key: string): string {
  if (!ROLE_KEY.test(key)) {
    throw new DomainError('invalid_input', `role key "${key}" is not valid: start with a lowercase letter, then up to 62 lowercase letters, digits, "_" or "-"`, {
      details: { field: 'key' },
    });
  }
  if (isBuiltinRole(key)) throw new DomainError('invalid_input', `"${key}" is a built-in role's key; choose another`, { details: { field: 'key' } });
  return key;
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) {
    throw new DomainError('invalid_input', `name must be 1 to ${MAX_NAME_LENGTH} characters`, { details: { field: 'name' } });
  }
  return trimmed;
}

function validateDescription(description: string | null | undefined): string | null | undefined {
  if (description === undefined || description === null) return description;
  const trimmed = description.trim();
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
    throw new DomainError('invalid_input', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, { details: { field: 'description' } });
  }
  return trimmed === '' ? null : trimmed;
}

/**
 * A custom role's permissions: each in the catalogue (app permissions share-locked, so they cannot
 * be unregistered before this transaction commits), never billing.manage, and, for a member
 * editing roles, only permissions they hold themselves. Stored deduplicated, in catalogue order.
 */
async function validatePermissions(tx: Database, ctx: OrgContext, requested: readonly string[]): Promise<string[]> {
  const permissions = [...new Set(requested)];
  if (permissions.includes(OWNER_ONLY)) {
    throw new DomainError('invalid_input', `custom roles cannot hold "${OWNER_ONLY}": only owners change seats and billing`, {
      details: { field: 'permissions', permission: OWNER_ONLY },
    });
  }
  const appKeys = permissions.filter((p) => !isRosterPermission(p));
  const registered =
    appKeys.length === 0
      ? []
      : await tx
          .select({ key: schema.appPermissions.key })
          .from(schema.appPermissions)
          .where(inArray(schema.appPermissions.key, appKeys))
          .for('share');
  const known = new Set(registered.map((r) => r.key));
  const unknown = appKeys.filter((p) => !known.has(p));
  if (unknown.length > 0) {
    throw new DomainError(
      'invalid_input',
      `unknown permission${unknown.length === 1 ? '' : 's'} ${unknown.map((p) => `"${p}"`).join(', ')}: use Roster's permissions or ones the app has registered (GET /permissions)`,
      { details: { field: 'permissions', unknown } },
    );
  }
  const beyond = permissions.filter((p) => !can(ctx, p));
  if (beyond.length > 0) {
    throw new DomainError('forbidden', `a role can only be given permissions its editor holds; you do not hold ${beyond.map((p) => `"${p}"`).join(', ')}`, {
      details: { permissions: beyond },
    });
  }
  return inCatalogueOrder(permissions);
}

/** Roster's permissions in their declared order, then the app's by key (as listPermissions shows them). */
function inCatalogueOrder(permissions: readonly string[]): string[] {
  const roster = Object.keys(ROSTER_PERMISSIONS);
  const rank = (p: string) => (isRosterPermission(p) ? roster.indexOf(p) : roster.length);
  return [...permissions].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
