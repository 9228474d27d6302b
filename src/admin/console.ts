/**
 * Roster's console, behind the console session: for now the page that says who is signed in and
 * lets them sign out; the member-management screens build on it. Every request reads the session
 * row, so a deactivated member is signed out on every instance at once.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Database } from '../db/index.ts';
import { CONSOLE_SIGN_IN_PATH, consoleSessionOf } from '../http/index.ts';

export function consoleRoutes(options: { db: Database }): Hono {
  const console = new Hono();
  console.get('/', async (c) => {
    const session = await consoleSessionOf(c, options.db);
    if (!session) return c.redirect(CONSOLE_SIGN_IN_PATH, 303);
    c.header('Cache-Control', 'no-store');
    return c.html(html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Roster console</title></head>
<body><h1>Roster console</h1>
<p>Signed in as <strong>${session.email}</strong> (${session.role}) in <strong>${session.organizationSlug}</strong>.</p>
<form method="post" action="/sso/console/sign-out"><button type="submit">Sign out</button></form>
</body></html>`);
  });
  return console;
}
