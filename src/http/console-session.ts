/**
 * The console's session cookie, shared by the sign-in that sets it (src/sso) and the console that
 * reads it (src/admin): an opaque id, HttpOnly, SameSite=Lax, Secure under https. Every request
 * looks the row up, so a session ended anywhere is ended everywhere.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Database } from '../db/index.ts';
import { findConsoleSession, lastSeenIsStale, touchLastSeen, type ConsoleSession } from '../directory/index.ts';

export const CONSOLE_SESSION_COOKIE = 'roster_console';

/** Where a person signs in to Roster's console. */
export const CONSOLE_SIGN_IN_PATH = '/sso/console/sign-in';

/** The session the request's cookie names, if live; using it counts as the member being seen. */
export async function consoleSessionOf(c: Context, db: Database, now = new Date()): Promise<ConsoleSession | undefined> {
  const id = getCookie(c, CONSOLE_SESSION_COOKIE);
  const session = id === undefined ? undefined : await findConsoleSession(db, id, now);
  if (session && lastSeenIsStale(session.lastSeenAt, now)) await touchLastSeen(db, session.organizationId, session.memberId, now);
  return session;
}
