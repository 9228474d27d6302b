/**
 * The operator commands, as one table shared by the `roster` CLI and the local control endpoint:
 * the CLI runs a command directly on the database, or asks a running server to run the very same
 * entry when the embedded database is open in that server.
 *
 * Outputs are plain JSON; their field names are a contract other tooling relies on.
 */
import { z } from 'zod';
import { migrate } from '../db/index.ts';
import {
  createApiKey,
  createDirectory,
  createOrganization,
  createScimToken,
  deleteDirectory,
  enterOrganization,
  inOrganization,
  listRequests,
  MAX_REQUEST_LOG_PAGE,
  organizationOfDirectory,
  listApiKeys,
  listDirectories,
  listOrganizations,
  listScimTokens,
  revokeApiKey,
  revokeScimToken,
  type Context,
  type DeletedDirectory,
  type ScimTokenInfo,
} from '../directory/index.ts';
import { accessOperations } from './access-operations.ts';
import { auditOperations } from './audit-operations.ts';
import { invitationOperations } from './invitation-operations.ts';
import { memberOperations } from './member-operations.ts';
import { define, type Operation, type OperationEnv } from './operation.ts';
import { loggedRequestJson, parseBefore } from './request-log-json.ts';
import {
  addDomain,
  appCreateInput,
  connectionCreateInput,
  connectionUpdateInput,
  updateConnection,
  createAppClient,
  createConnection,
  domainAddInput,
  listAppClients,
  listConnections,
  listDomains,
  listSignInsJson,
  MAX_SIGN_IN_PAGE,
  parseInput,
  rotateKeys,
  rotateSecret,
} from './sso-operations.ts';

export type { OperationEnv } from './operation.ts';

const scimBaseUrl = (publicUrl: string, directoryId: string) => `${publicUrl}/scim/v2/${directoryId}`;
const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const ctxOf = (env: OperationEnv): Context => ({ db: env.handle.db, actor: env.actor });

const tokenJson = (t: ScimTokenInfo) => ({
  id: t.id,
  directory: t.directoryId,
  prefix: t.prefix,
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});

/** What `directory delete` and the admin API's DELETE answer: the directory and how much went with it. */
export const deletedDirectoryJson = (d: DeletedDirectory) => ({ id: d.id, deleted: true, users: d.users, groups: d.groups, tokens: d.tokens });

const org = z.string().min(1);

export const operations = {
  ...accessOperations,
  ...auditOperations,
  ...invitationOperations,
  ...memberOperations,

  migrate: define({
    input: z.object({}),
    run: async (env) => migrate(env.handle),
  }),

  'org.create': define({
    input: z.object({ slug: z.string(), name: z.string() }),
    run: async (env, input) => {
      const o = await createOrganization(ctxOf(env), input);
      return { id: o.id, slug: o.slug, name: o.name };
    },
  }),

  'org.list': define({
    input: z.object({}),
    run: async (env) =>
      (await listOrganizations(ctxOf(env))).map((o) => ({ id: o.id, slug: o.slug, name: o.name, createdAt: iso(o.createdAt) })),
  }),

  'directory.create': define({
    input: z.object({ org, provider: z.string(), name: z.string().optional() }),
    run: async (env, input) => {
      const ctx = await enterOrganization(ctxOf(env), input.org);
      const { directory, token } = await createDirectory(ctx, { provider: input.provider, name: input.name });
      return {
        id: directory.id,
        organization: ctx.organization.slug,
        name: directory.name,
        provider: directory.provider,
        scimBaseUrl: scimBaseUrl(env.publicUrl, directory.id),
        token: token.token,
        tokenId: token.id,
      };
    },
  }),

  'directory.list': define({
    input: z.object({ org }),
    run: async (env, input) => {
      const ctx = await enterOrganization(ctxOf(env), input.org);
      return (await listDirectories(ctx)).map((d) => ({
        id: d.id,
        organization: ctx.organization.slug,
        name: d.name,
        provider: d.provider,
        scimBaseUrl: scimBaseUrl(env.publicUrl, d.id),
        liveTokens: d.liveTokens,
        lastRequestAt: iso(d.lastRequestAt),
        createdAt: iso(d.createdAt),
      }));
    },
  }),

  'directory.delete': define({
    input: z.object({ org, directory: z.string() }),
    run: async (env, input) => {
      const ctx = await enterOrganization(ctxOf(env), input.org);
      return deletedDirectoryJson(await deleteDirectory(ctx, { directoryId: input.directory }));
    },
  }),

  'directory.token.create': define({
    input: z.object({ org, directory: z.string() }),
    run: async (env, input) => {
      const ctx = await enterOrganization(ctxOf(env), input.org);
      const token = await createScimToken(ctx, { directoryId: input.directory });
      return { ...tokenJson(token), token: token.token };
    },
  }),

  'directory.token.list': define({
    input: z.object({ org, directory: z.string() }),
    run: async (env, input) => {
      const ctx = await enterOrganization(ctxOf(env), input.org);
      return (await listScimTokens(ctx, { directoryId: input.directory })).map(tokenJson);
    },
  }),

  'directory.token.revoke': define({
    input: z.object({ org, directory: z.string(), token: z.string() }),
    run: async (env, input) => {
      const ctx = await enterOrganization(ctxOf(env), input.org);
      return tokenJson(await revokeScimToken(ctx, { directoryId: input.directory, tokenId: input.token }));
    },
  }),

  'directory.log': define({
    input: z.object({
      directory: z.string(),
      org: org.optional(),
      failed: z.boolean().optional(),
      limit: z.number().int().min(1).max(MAX_REQUEST_LOG_PAGE).optional(),
      before: z.string().optional(),
    }),
    run: async (env, input) => {
      // The directory id is unique across organizations, so an operator may name it alone.
      const ctx =
        input.org === undefined
          ? inOrganization(ctxOf(env), await organizationOfDirectory(ctxOf(env), input.directory))
          : await enterOrganization(ctxOf(env), input.org);
      const entries = await listRequests(ctx, {
        directoryId: input.directory,
        failedOnly: input.failed ?? false,
        limit: input.limit ?? 50,
        before: parseBefore(input.before),
      });
      return entries.map(loggedRequestJson);
    },
  }),

  'api-key.create': define({
    input: z.object({ name: z.string().optional() }),
    run: async (env, input) => {
      const k = await createApiKey(ctxOf(env), { name: input.name });
      return { id: k.id, key: k.key, name: k.name, prefix: k.prefix };
    },
  }),

  'api-key.list': define({
    input: z.object({}),
    run: async (env) =>
      (await listApiKeys(ctxOf(env))).map((k) => ({
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        createdAt: iso(k.createdAt),
        lastUsedAt: iso(k.lastUsedAt),
        revokedAt: iso(k.revokedAt),
      })),
  }),

  'api-key.revoke': define({
    input: z.object({ id: z.string() }),
    run: async (env, input) => {
      const k = await revokeApiKey(ctxOf(env), input);
      return { id: k.id, name: k.name, prefix: k.prefix, revokedAt: iso(k.revokedAt) };
    },
  }),

  'connection.create': define({
    input: connectionCreateInput.extend({ org }),
    run: async (env, { org: slug, ...input }) => createConnection(await enterOrganization(ctxOf(env), slug), env, input),
  }),

  'connection.update': define({
    input: connectionUpdateInput.extend({ org }),
    run: async (env, { org: slug, ...input }) => updateConnection(await enterOrganization(ctxOf(env), slug), env.publicUrl, input),
  }),

  'connection.list': define({
    input: z.object({ org }),
    run: async (env, input) => listConnections(await enterOrganization(ctxOf(env), input.org), env.publicUrl),
  }),

  'app.create': define({
    input: appCreateInput,
    run: async (env, input) => createAppClient(env.handle.db, env, env.actor, input),
  }),

  'app.list': define({
    input: z.object({}),
    run: async (env) => listAppClients(env.handle.db),
  }),

  'domain.add': define({
    input: domainAddInput.extend({ org }),
    run: async (env, { org: slug, ...input }) => addDomain(await enterOrganization(ctxOf(env), slug), input),
  }),

  'domain.list': define({
    input: z.object({ org }),
    run: async (env, input) => listDomains(await enterOrganization(ctxOf(env), input.org)),
  }),

  'sign-in.list': define({
    input: z.object({ org, limit: z.number().int().min(1).max(MAX_SIGN_IN_PAGE).optional() }),
    run: async (env, input) => listSignInsJson(await enterOrganization(ctxOf(env), input.org), input.limit),
  }),

  'keys.rotate': define({
    input: z.object({}),
    run: async (env) => rotateKeys(env.handle.db, env.box),
  }),

  'secret.rotate': define({
    input: z.object({ keyId: z.string().optional() }),
    run: async (env, input) => rotateSecret(env.handle.db, env.box, env.actor, input.keyId),
  }),
} as const;

export type OperationName = keyof typeof operations;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

/** Validates the input and runs one operation; unknown input fields are rejected, not ignored. */
export async function runOperation(env: OperationEnv, name: OperationName, rawInput: unknown): Promise<unknown> {
  const op = operations[name] as Operation<z.ZodType>;
  return op.run(env, parseInput(op.input as z.ZodObject, rawInput));
}
