/** Builders for test tenants: each test makes its own organization, so tests never share state. */
import { randomBytes } from 'node:crypto';
import type { DatabaseHandle } from '../../src/db/index.ts';
import {
  createDirectory,
  createOrganization,
  enterOrganization,
  type Actor,
  type Context,
  type OrgContext,
} from '../../src/directory/index.ts';

export const testActor: Actor = { type: 'operator', id: 'test' };

export function uniqueSlug(prefix = 'org'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function contextFor(handle: DatabaseHandle): Context {
  return { db: handle.db, actor: testActor };
}

export async function createTestOrganization(handle: DatabaseHandle, slug = uniqueSlug()): Promise<OrgContext> {
  const ctx = contextFor(handle);
  await createOrganization(ctx, { slug, name: `Org ${slug}` });
  return enterOrganization(ctx, slug);
}

export async function createTestDirectory(handle: DatabaseHandle, provider: 'okta' | 'entra' = 'okta') {
  const org = await createTestOrganization(handle);
  const { directory, token } = await createDirectory(org, { provider });
  return { org, directory, token: token.token, tokenId: token.id };
}
