/** Organizations: the tenants. Slugs are what operators and URLs use to name them. */
import { asc, eq } from 'drizzle-orm';
import { schema, withTransaction } from '../db/index.ts';
import { DomainError, isUniqueViolation } from '../errors.ts';
import { newId, type OrganizationId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import { inOrganization, type Context, type OrgContext } from './context.ts';

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
