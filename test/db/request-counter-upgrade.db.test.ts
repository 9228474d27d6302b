/**
 * Upgrading a database that already holds tokens to the per-token request counters (migration
 * 0010): every existing token gets its counter, and its requests are counted from the first.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { expect, it } from 'vitest';
import { migrate, MIGRATIONS_FOLDER, openPostgres, rowsOf } from '../../src/db/index.ts';
import { admitScimRequest, scimTokenDigest } from '../../src/directory/index.ts';
import { issueSecret } from '../../src/directory/secret-tokens.ts';
import { testDatabaseKind } from '../support/database.ts';
import { TEST_DATABASE_URL, withDatabase } from '../support/postgres-url.ts';

it.runIf(testDatabaseKind === 'postgres')('gives the tokens of an upgraded database a request counter each', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'roster-migrations-'));
  const name = `roster_t_upg_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const handle = openPostgres({ url: withDatabase(TEST_DATABASE_URL, name) });
  try {
    // The migrations as they stood before the counters.
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalFile = path.join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const cut = journal.entries.findIndex((e) => e.tag === '0010_scim_request_counters');
    expect(cut).toBeGreaterThan(0);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
    await migratePostgres(handle.db as never, { migrationsFolder: folder });

    const ids = { org: '0190d0a4-0000-7000-8000-000000000001', dir: '0190d0a4-0000-7000-8000-000000000002' };
    const tokens = [issueSecret('scim'), issueSecret('scim')];
    await handle.db.execute(sql`insert into organizations (id, slug, name) values (${ids.org}, 'upgraded', 'Upgraded')`);
    await handle.db.execute(sql`insert into directories (id, organization_id, name, provider) values (${ids.dir}, ${ids.org}, 'okta', 'okta')`);
    for (const [i, token] of tokens.entries()) {
      await handle.db.execute(sql`
        insert into scim_tokens (id, organization_id, directory_id, prefix, token_hash)
        values (${`0190d0a4-0000-7000-8000-00000000001${i}`}, ${ids.org}, ${ids.dir}, ${token.prefix}, ${token.hash})`);
    }

    expect((await migrate(handle)).applied).toBe(journal.entries.length - cut);
    const counters = rowsOf<{ counter: string | null }>(await handle.db.execute(sql`select request_counter::text as counter from scim_tokens`));
    expect(counters).toHaveLength(2);
    expect(new Set(counters.map((c) => c.counter)).size).toBe(2);
    const budget = { limit: 2, windowMs: 60_000 };
    const now = new Date('2026-03-02T10:00:10.000Z');
    for (const token of tokens) {
      const verdicts = [];
      for (let i = 0; i < 3; i++) verdicts.push((await admitScimRequest(handle.db, { directoryId: ids.dir, digest: scimTokenDigest(token.secret), budget, now }))?.rateLimit?.allowed);
      expect(verdicts).toEqual([true, true, false]);
    }
  } finally {
    await handle.close();
    await admin.unsafe(`drop database "${name}" with (force)`);
    await admin.end();
    rmSync(folder, { recursive: true, force: true });
  }
});
