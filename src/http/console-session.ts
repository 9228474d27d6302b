/**
 * The console's session cookie, shared by the sign-in that sets it (src/sso) and the console that
 * reads it (src/admin): an opaque id, HttpOnly, SameSite=Lax, Secure under https. Every request
 * looks the row up, so a session ended anywhere is ended everywhere.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Database } from '../db/index.ts';
import { findConsoleSession, type ConsoleSession } from '../directory/index.ts';

export const CONSOLE_SESSION_COOKIE = 'roster_console';

/** Where a person signs in to Roster's console. */
export const CONSOLE_SIGN_IN_PATH = '/sso/console/sign-in';

export async function consoleSessionOf(c: Context, db: Database): Promise<ConsoleSession | undefined> {
  const id = getCookie(c, CONSOLE_SESSION_COOKIE);
  return id === undefined ? undefined : findConsoleSession(db, id);
}
