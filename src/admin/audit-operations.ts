/** The audit log and the member event feed from the CLI: the same verbs and JSON as the admin API. */
import { z } from 'zod';
import { enterOrganization, listAuditEntries, listMemberEvents, MAX_AUDIT_EXPORT, MAX_AUDIT_PAGE, MAX_MEMBER_EVENT_PAGE } from '../directory/index.ts';
import { auditCsv, auditEntryJson, auditFilterOf, memberEventJson } from './audit-json.ts';
import { define, type OperationEnv } from './operation.ts';

const filter = {
  org: z.string().min(1),
  actor: z.string().optional(),
  actorType: z.string().optional(),
  action: z.string().optional(),
  target: z.string().optional(),
  targetType: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
};

const orgCtx = (env: OperationEnv, slug: string) => enterOrganization({ db: env.handle.db, actor: env.actor }, slug);

export const auditOperations = {
  'audit.list': define({
    input: z.object({ ...filter, limit: z.number().int().min(1).max(MAX_AUDIT_PAGE).optional() }),
    run: async (env, { org, limit, ...raw }) => {
      const ctx = await orgCtx(env, org);
      return (await listAuditEntries(ctx, { filter: auditFilterOf(raw), limit: limit ?? 50 })).map(auditEntryJson);
    },
  }),

  'audit.export': define({
    input: z.object(filter),
    run: async (env, { org, ...raw }) => {
      const ctx = await orgCtx(env, org);
      return { csv: auditCsv(await listAuditEntries(ctx, { filter: auditFilterOf(raw), limit: MAX_AUDIT_EXPORT })) };
    },
  }),

  'member-event.list': define({
    input: z.object({ org: z.string().min(1), after: z.string().optional(), limit: z.number().int().min(1).max(MAX_MEMBER_EVENT_PAGE).optional() }),
    run: async (env, { org, after, limit }) => {
      const ctx = await orgCtx(env, org);
      return (await listMemberEvents(ctx, { after, limit: limit ?? 100 })).map(memberEventJson);
    },
  }),
};
