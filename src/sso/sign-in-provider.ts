/**
 * Roster's OpenID Provider as the server runs it: members' claims from the domain, the login
 * interaction served by the sign-in routes, and background upkeep (back-channel logouts owed,
 * expired provider and sign-in state deleted).
 */
import type { Database } from '../db/index.ts';
import { lastSeenIsStale, memberFitsRequest, memberForTokens, pruneEmailCodes, pruneSignInState, touchLastSeen } from '../directory/index.ts';
import type { OrganizationId } from '../ids.ts';
import type { Logger } from '../http/index.ts';
import { startPeriodicTask } from '../jobs/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { createRosterProvider, startProviderMaintenance, type RosterProvider } from './provider/index.ts';
import { interactionPath } from './urls.ts';

export async function createSignInProvider(options: {
  db: Database;
  box: SecretBox;
  publicUrl: string;
  /** ROSTER_SECRET: cookie keys are derived from it, identical on every instance. */
  secret: string;
  logger: Logger;
  proxy?: boolean;
}): Promise<RosterProvider> {
  return createRosterProvider({
    db: options.db,
    box: options.box,
    issuer: options.publicUrl,
    // Called whenever the app is issued a token for the member or reads userinfo: the member is seen.
    findAccountClaims: async (memberId) => {
      const found = await memberForTokens(options.db, memberId);
      const now = new Date();
      if (found && lastSeenIsStale(found.lastSeenAt, now)) await touchLastSeen(options.db, found.claims.org.id as OrganizationId, memberId, now);
      return found?.claims;
    },
    sessionFits: (memberId, request) => memberFitsRequest(options.db, memberId, request),
    interactionPath,
    cookieSecret: options.secret,
    logger: options.logger,
    proxy: options.proxy ?? false,
    secureCookies: options.publicUrl.startsWith('https:'),
  });
}

/** Runs the provider's and the sign-ins' upkeep every interval until closed. */
export function startSignInMaintenance(options: { rp: RosterProvider; db: Database; logger: Logger; intervalMs?: number }): { close(): Promise<void> } {
  const intervalMs = options.intervalMs ?? 30_000;
  const provider = startProviderMaintenance({ rp: options.rp, db: options.db, logger: options.logger, intervalMs });
  const signIns = startPeriodicTask(
    async () => {
      try {
        await pruneSignInState(options.db);
        await pruneEmailCodes(options.db);
      } catch (error) {
        options.logger.error({ err: error }, 'sign-in state pruning failed');
      }
    },
    undefined,
    // Expired flows, assertion IDs and email codes only cost space: hourly is plenty.
    Math.max(intervalMs, 3_600_000),
  );
  return {
    async close() {
      await provider.close();
      await signIns.stop();
    },
  };
}
