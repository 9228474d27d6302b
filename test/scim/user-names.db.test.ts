// userName uniqueness and lookups compare names after NFC and case folding, and names that hide
// characters (direction overrides, zero-width spaces) are refused: through the SCIM routes, on
// both databases.
import { describe, expect, it } from 'vitest';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { scimClient, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();

const COMPOSED = 'Ren\u00e9e@Example.com';
const DECOMPOSED = 'RENE\u0301E@example.COM';

describe(`userName normalisation on ${testDatabaseKind}`, () => {
  it('makes one user of the composed and decomposed forms of one name, in any case', async () => {
    const scim = await scimClient(database.handle);
    const first = await scim.send('POST', '/Users', { schemas: [USER_URN], userName: COMPOSED });
    expect(first.status).toBe(201);
    const second = await scim.send('POST', '/Users', { schemas: [USER_URN], userName: DECOMPOSED });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ status: '409', scimType: 'uniqueness' });

    for (const form of [COMPOSED, DECOMPOSED, 'ren\u00e9e@example.com']) {
      const list = await scim.send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${form}"`)}`);
      expect(list.status, form).toBe(200);
      expect(list.body).toMatchObject({ totalResults: 1, Resources: [{ id: first.body.id, userName: COMPOSED }] });
    }
    const all = await scim.send('GET', '/Users');
    expect(all.body.totalResults).toBe(1);
  });

  it('refuses a rename to another form of a name already taken', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser(COMPOSED);
    const other = await scim.createUser('other@example.com');
    const renamed = await scim.patch(`/Users/${other.id}`, [{ op: 'replace', path: 'userName', value: DECOMPOSED }]);
    expect(renamed.status).toBe(409);
    expect(renamed.body).toMatchObject({ scimType: 'uniqueness' });
    expect((await scim.send('GET', `/Users/${other.id}`)).body).toMatchObject({ userName: 'other@example.com' });
  });

  it.each([
    ['a right-to-left override', 'admin\u202Emoc.elpmaxe@x'],
    ['a zero-width space', 'ad\u200Bmin@example.com'],
  ])('refuses a userName with %s as invalidValue, and stores nothing', async (_name, userName) => {
    const scim = await scimClient(database.handle);
    const reply = await scim.send('POST', '/Users', { schemas: [USER_URN], userName });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim.send('GET', '/Users')).body.totalResults).toBe(0);
  });
});
