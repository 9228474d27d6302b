/**
 * Ending everything members are signed in with, for any number of them in a few statements: the
 * OpenID Provider's sessions, grants and tokens (rows keyed by account id), Roster's own console
 * sessions, and a back-channel logout owed to every app that asked for them. Runs in the
 * transaction of the change that ends them (deactivation, removal), so a rolled-back change ends
 * nothing and a committed one leaves nothing behind.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, schema, type Database } from '../../db/index.ts';
import { uuidArray } from '../sql-arrays.ts';

export interface EndedSessions {
  /** OP sessions, grants and tokens, and console sessions, deleted. */
  sessionsEnded: number;
  /** Back-channel logout tokens queued for apps. */
  logoutsQueued: number;
}

/** `memberIds` must be validated uuids of members of one organization (member ids are global). */
export async function endMemberSessions(tx: Database, memberIds: readonly string[]): Promise<EndedSessions> {
  if (memberIds.length === 0) return { sessionsEnded: 0, logoutsQueued: 0 };
  const ids = memberIds.join(',');
  const payloads = await tx
    .delete(schema.oidcProviderPayloads)
    .where(sql`${schema.oidcProviderPayloads.accountId} = any(string_to_array(${ids}, ','))`)
    .returning({ id: schema.oidcProviderPayloads.id });
  const consoles = await tx
    .delete(schema.consoleSessions)
    .where(sql`${schema.consoleSessions.memberId} = any(${uuidArray(memberIds)})`)
    .returning({ id: schema.consoleSessions.idHash });
  // One logout per app with a back-channel URI and member: the app may hold a session Roster
  // cannot see (its own, made from an earlier ID token).
  const queued = rowsOf<{ id: string }>(
    await tx.execute(sql`
      insert into backchannel_logouts (id, client_id, account_id, created_at, attempts, next_attempt_at)
      select gen_random_uuid()::text, c.client_id, m.id, now(), 0, now()
      from oidc_clients c cross join unnest(string_to_array(${ids}, ',')) as m(id)
      where c.backchannel_logout_uri is not null
      returning id`),
  );
  return { sessionsEnded: payloads.length + consoles.length, logoutsQueued: queued.length };
}
