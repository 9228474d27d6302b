/**
 * `roster member invite|import`, `roster invitation list|resend|revoke` and `roster mail list` as
 * an operator runs them beside a running server (on the embedded database the commands go through
 * it). Without SMTP_URL the server writes each email to its log, and `mail list` shows it with the
 * link, whose token opens the invitation.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { createOrganization, hashInvitationToken } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { ownLines, runCli, runCliJson, SPAWNS, startServe } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase, withDatabaseOf } from '../support/database.ts';
import { testActor, uniqueSlug } from '../support/factories.ts';

const database = useTestDatabase({ open: false });
const PUBLIC_URL = 'https://id.example.com';
const env = () => ({ ...database.env, PUBLIC_URL });
let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

type Mail = { id: string; to: string; kind: string; subject: string; text: string; createdAt: string; sentAt: string | null; sentVia: string | null };

describe(`roster member invite, invitation and mail on ${testDatabaseKind}`, { timeout: 300_000 }, () => {
  it('invites with the promised JSON, lists, resends and revokes, and shows the emails', SPAWNS, async () => {
    const slug = uniqueSlug('inv');
    await withDatabaseOf(database.env, async (handle) => {
      const org = await createOrganization({ db: handle.db, actor: testActor }, { slug, name: 'Invite Inc' });
      await handle.db.insert(schema.teams).values({ id: newId(), organizationId: org.id, name: 'Tier 2', nameKey: 'tier 2' });
    });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'roster-invite-cli-'));
    const csvFile = path.join(tmp, 'invites.csv');
    await writeFile(csvFile, 'email,role,teams\nlin@acme.test,viewer,Tier 2\nnot an address,,\n');

    const server = await startServe(env());
    let mails: Mail[] = [];
    let ada: Record<string, unknown> = {};
    try {
      ada = await runCliJson(['member', 'invite', '--org', slug, '--email', 'ada@acme.test', '--role', 'admin', '--team', 'Tier 2'], env());
      expect(Object.keys(ada)).toEqual(['id', 'email', 'status', 'role', 'teams', 'expiresAt']);
      expect(ada).toEqual({ id: expect.any(String), email: 'ada@acme.test', status: 'invited', role: 'admin', teams: ['Tier 2'], expiresAt: expect.any(String) });
      const inAWeek = Date.parse(String(ada.expiresAt)) - Date.now();
      expect(inAWeek).toBeGreaterThan(7 * 24 * 3600_000 - 120_000);
      expect(inAWeek).toBeLessThanOrEqual(7 * 24 * 3600_000);

      const several = await runCliJson<Record<string, unknown>[]>(['member', 'invite', '--org', slug, '--email', 'bo@acme.test', '--email', 'cy@acme.test'], env());
      expect(several.map((m) => [m.email, m.role, m.teams])).toEqual([
        ['bo@acme.test', 'member', []],
        ['cy@acme.test', 'member', []],
      ]);

      const imported = await runCliJson<Record<string, unknown>[]>(['member', 'import', '--org', slug, '--file', csvFile], env());
      expect(imported).toEqual([
        { row: 2, email: 'lin@acme.test', result: 'invited', detail: 'invitation sent', id: expect.any(String), expiresAt: expect.any(String) },
        { row: 3, email: 'not an address', result: 'invalid_email', detail: '"not an address" is not an email address (expected e.g. ada@example.com)' },
      ]);

      // Inviting someone invited already: one line, saying what to do instead, and nothing on stdout.
      const again = await runCli(['member', 'invite', '--org', slug, '--email', 'ADA@acme.test'], env());
      expect(again).toMatchObject({ code: 1, stdout: '' });
      expect(ownLines(again.stderr)).toEqual([`roster: nothing was invited: ADA@acme.test is already invited (member ${String(ada.id)}): resend that invitation instead`]);

      // The first emails leave before the resend and the revocation (which withdraw unsent ones).
      const loggedEmails = async (n: number) => {
        const logged = () => server.logs.filter((l) => l.includes('email not sent (SMTP_URL is not set)'));
        for (let waited = 0; logged().length < n && waited < 30_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
        return logged();
      };
      expect(await loggedEmails(4)).toHaveLength(4);
      const resent = await runCliJson(['invitation', 'resend', String(ada.id), '--org', slug], env());
      expect(resent).toMatchObject({ id: ada.id, email: 'ada@acme.test', status: 'invited', sentCount: 2, expired: false, invitedBy: { type: 'operator', id: 'cli' } });
      const revoked = await runCliJson(['invitation', 'revoke', String(several[0]!.id), '--org', slug], env());
      expect(revoked).toEqual({ id: several[0]!.id, email: 'bo@acme.test', revoked: true });
      const pending = await runCliJson<Record<string, unknown>[]>(['invitation', 'list', '--org', slug], env());
      expect(pending.map((p) => p.email)).toEqual(['lin@acme.test', 'cy@acme.test', 'ada@acme.test']);
      expect(Object.keys(pending[0]!)).toEqual(['id', 'email', 'status', 'role', 'teams', 'expiresAt', 'expired', 'sentCount', 'lastSentAt', 'invitedBy', 'createdAt']);

      // The server's delivery job writes each email to its log once (no SMTP_URL).
      const entries = (await loggedEmails(5)).map((l) => (JSON.parse(l) as { mail: { to: string; subject: string; text: string } }).mail);
      expect(entries.map((m) => m.to).sort()).toEqual(['ada@acme.test', 'ada@acme.test', 'bo@acme.test', 'cy@acme.test', 'lin@acme.test']);
      expect(entries[0]!.subject).toBe('You are invited to join Invite Inc');

      mails = await runCliJson<Mail[]>(['mail', 'list', '--org', slug, '--limit', '10'], env());
      expect(mails.map((m) => Object.keys(m))).toEqual(mails.map(() => ['id', 'to', 'kind', 'subject', 'text', 'createdAt', 'sentAt', 'sentVia']));
      expect(mails.map((m) => [m.to, m.kind, m.sentVia])).toEqual([
        ['ada@acme.test', 'invitation', 'log'],
        ['lin@acme.test', 'invitation', 'log'],
        ['cy@acme.test', 'invitation', 'log'],
        ['bo@acme.test', 'invitation', 'log'],
        ['ada@acme.test', 'invitation', 'log'],
      ]);
      expect(mails[0]!.text).toContain('It replaces the link of any earlier invitation email');
    } finally {
      expect(await server.stop()).toBe(0);
    }

    // The newest email's link opens Ada's invitation; the first one's no longer does.
    const tokenOf = (m: Mail) => new RegExp(`${PUBLIC_URL}/invitations/([A-Za-z0-9_-]{43})`).exec(m.text)?.[1] ?? '';
    await withDatabaseOf(database.env, async (handle) => {
      const byHash = async (m: Mail) => (await handle.db.select({ memberId: schema.invitations.memberId }).from(schema.invitations).where(eq(schema.invitations.tokenHash, hashInvitationToken(tokenOf(m)))))[0];
      expect(await byHash(mails[0]!)).toEqual({ memberId: ada.id });
      expect(await byHash(mails[4]!)).toBeUndefined();
    });
  });
});
