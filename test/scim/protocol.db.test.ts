import { describe, expect, it } from 'vitest';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { scimClient, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe(`SCIM protocol rules on ${testDatabaseKind}`, () => {
  it('answers every malformed request with a SCIM error body and the right status', async () => {
    const scim = await scimClient(database.handle);
    const cases: [string, string, unknown, Record<string, string>, number, string | undefined][] = [
      ['POST', '/Users', '{"userName": ', {}, 400, 'invalidSyntax'],
      ['POST', '/Users', '', {}, 400, 'invalidSyntax'],
      ['POST', '/Users', '<user/>', { 'Content-Type': 'application/xml' }, 415, undefined],
      ['POST', '/Users', { schemas: [USER_URN] }, {}, 400, 'invalidValue'],
      ['POST', '/Users', { userName: 'no-schemas' }, {}, 400, 'invalidSyntax'],
      ['GET', '/Users?filter=userName%20eq', undefined, {}, 400, 'invalidFilter'],
      ['GET', '/Users?filter=password%20eq%20%22x%22', undefined, {}, 400, 'invalidFilter'],
      ['GET', '/Users?count=abc', undefined, {}, 400, 'invalidValue'],
      ['PATCH', '/Users/00000000-0000-7000-8000-000000000000', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'frobnicate', path: 'x' }] }, {}, 400, 'invalidSyntax'],
      ['DELETE', '/ServiceProviderConfig', undefined, {}, 405, undefined],
      ['PUT', '/Users', { schemas: [USER_URN], userName: 'x' }, {}, 405, undefined],
      ['GET', '/Nope', undefined, {}, 404, undefined],
      ['GET', '/Users/not-an-id', undefined, {}, 404, undefined],
      ['GET', '/Me', undefined, {}, 501, undefined],
      ['POST', '/Bulk', { Operations: [] }, {}, 400, 'invalidSyntax'],
      ['POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'GET', path: '/Users' }] }, {}, 400, 'invalidValue'],
      ['GET', '/Bulk', undefined, {}, 405, undefined],
    ];
    for (const [method, path, body, headers, status, scimType] of cases) {
      const reply = await scim.send(method, path, body, headers);
      expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(status);
      expect(reply.headers.get('content-type'), `${method} ${path}`).toMatch(/^application\/scim\+json/);
      expect(reply.body.schemas).toEqual([ERROR_URN]);
      expect(reply.body.status).toBe(String(status));
      expect(reply.body.scimType).toBe(scimType);
      expect(typeof reply.body.detail).toBe('string');
    }
    const notAllowed = await scim.send('DELETE', '/ServiceProviderConfig');
    expect(notAllowed.headers.get('allow')).toBe('GET');
    expect((await scim.send('GET', '/Bulk')).headers.get('allow')).toBe('POST');
  });

  it('enforces the limits it publishes', async () => {
    const scim = await scimClient(database.handle);
    const longFilter = encodeURIComponent(`userName eq "${'x'.repeat(4100)}"`);
    const filter = await scim.send('GET', `/Users?filter=${longFilter}`);
    expect([filter.status, filter.body.scimType]).toEqual([400, 'invalidFilter']);
    const deep = encodeURIComponent(`${'('.repeat(40)}userName pr${')'.repeat(40)}`);
    expect((await scim.send('GET', `/Users?filter=${deep}`)).body.scimType).toBe('invalidFilter');

    const user = await scim.createUser('limits@example.com');
    const ops = Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'displayName', value: 'x' }));
    const tooManyOps = await scim.patch(`/Users/${user.id}`, ops);
    expect([tooManyOps.status, tooManyOps.body.scimType]).toEqual([400, 'tooMany']);

    const group = await scim.createGroup('Limits');
    const members = Array.from({ length: 20_001 }, () => ({ value: crypto.randomUUID() }));
    const tooManyMembers = await scim.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: members }]);
    expect([tooManyMembers.status, tooManyMembers.body.scimType]).toEqual([400, 'tooMany']);
  });

  it('accepts application/json as well as application/scim+json, and answers in application/scim+json', async () => {
    const scim = await scimClient(database.handle);
    const reply = await scim.send('POST', '/Users', { schemas: [USER_URN], userName: 'json@example.com' }, { 'Content-Type': 'application/json; charset=utf-8' });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  });

  it('makes one userName of its Unicode forms and cases, and refuses invisible characters in it', async () => {
    const scim = await scimClient(database.handle);
    const composed = await scim.createUser('Ren\u00e9@example.com');
    // The decomposed spelling (e + U+0301) in another case is the same name: taken.
    const decomposed = await scim.send('POST', '/Users', { schemas: [USER_URN], userName: 'RENE\u0301@example.com' });
    expect([decomposed.status, decomposed.body.scimType]).toEqual([409, 'uniqueness']);
    const found = await scim.send('GET', `/Users?filter=${encodeURIComponent('userName eq "rene\u0301@EXAMPLE.com"')}`);
    expect(found.body.Resources?.map((r) => r.id)).toEqual([composed.id]);

    for (const userName of ['zero\u200bwidth@example.com', 'evil\u202egro.example.com', '  ']) {
      const refused = await scim.send('POST', '/Users', { schemas: [USER_URN], userName });
      expect([refused.status, refused.body.scimType]).toEqual([400, 'invalidValue']);
    }
    const renamed = await scim.patch(`/Users/${composed.id}`, [{ op: 'replace', path: 'userName', value: 'bidi\u200f@example.com' }]);
    expect([renamed.status, renamed.body.scimType]).toEqual([400, 'invalidValue']);
    // A rename to another form of its own name is the same user, not a clash.
    const reformed = await scim.patch(`/Users/${composed.id}`, [{ op: 'replace', path: 'userName', value: 'Rene\u0301@example.com' }]);
    expect(reformed.status).toBe(200);
    const list = await scim.send('GET', '/Users');
    expect(list.body.totalResults).toBe(1);
  });

  it('publishes its discovery documents', async () => {
    const scim = await scimClient(database.handle);
    const config = await scim.send('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 2 * 1024 * 1024 },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      sort: { supported: true },
      changePassword: { supported: false },
    });
    expect(config.body['urn:roster:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig']).toEqual({
      maxPayloadSize: 2 * 1024 * 1024,
      maxResourceBytes: 65_536,
      defaultCount: 100,
      maxResults: 1000,
      maxListBytes: 4 * 1024 * 1024,
      maxPatchOperations: 1000,
      maxBulkOperations: 1000,
      maxMembersPerOperation: 20_000,
      maxFilterLength: 4096,
      maxFilterDepth: 32,
    });
    const types = await scim.send('GET', '/ResourceTypes');
    expect(types.body.Resources?.map((r) => r.id)).toEqual(['User', 'Group']);
    expect((await scim.send('GET', '/ResourceTypes/user')).body).toMatchObject({ endpoint: '/Users' });
    const schemas = await scim.send('GET', '/Schemas');
    expect(schemas.body.totalResults).toBe(3);
    const enterprise = await scim.send('GET', '/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    expect(enterprise.status).toBe(200);
    expect((enterprise.body.attributes as { name: string }[]).map((a) => a.name)).toContain('manager');
    expect((await scim.send('GET', '/Schemas/urn:nope')).status).toBe(404);
  });

  it('versions resources: ETag and meta.version agree, If-None-Match gives 304, a stale If-Match gives 412', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('etag@example.com');
    const meta = user.meta as { version: string; location: string; created: string; lastModified: string };
    const get = await scim.send('GET', `/Users/${user.id}`);
    expect(get.headers.get('etag')).toBe(meta.version);
    expect(meta.location).toBe(`${scim.baseUrl}/Users/${user.id}`);

    const notModified = await scim.send('GET', `/Users/${user.id}`, undefined, { 'If-None-Match': meta.version });
    expect(notModified.status).toBe(304);

    const changed = await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'Changed' }], { 'If-Match': meta.version });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(meta.version);
    expect(new Date((changed.body.meta as { lastModified: string }).lastModified).getTime()).toBeGreaterThanOrEqual(new Date(meta.created).getTime());

    const stale = await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'Lost' }], { 'If-Match': meta.version });
    expect(stale.status).toBe(412);
    expect((await scim.send('GET', `/Users/${user.id}`)).body.displayName).toBe('Changed');
    const staleDelete = await scim.send('DELETE', `/Users/${user.id}`, undefined, { 'If-Match': meta.version });
    expect(staleDelete.status).toBe(412);
  });

  it('changes a user’s ETag when its groups change, and a group’s when a member is deleted', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('related@example.com');
    const etag = async (path: string) => (await scim.send('GET', path)).headers.get('etag')!;
    const before = await etag(`/Users/${user.id}`);
    const group = await scim.createGroup('Related', [user.id]);
    const afterJoin = await etag(`/Users/${user.id}`);
    expect(afterJoin).not.toBe(before);
    expect((await scim.send('GET', `/Users/${user.id}`, undefined, { 'If-None-Match': before })).status).toBe(200);

    await scim.patch(`/Groups/${group.id}`, [{ op: 'replace', path: 'displayName', value: 'Renamed' }]);
    const afterRename = await etag(`/Users/${user.id}`);
    expect(afterRename).not.toBe(afterJoin);

    const beforeRename = await etag(`/Groups/${group.id}`);
    await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'Now shown differently' }]);
    expect(await etag(`/Groups/${group.id}`)).not.toBe(beforeRename);

    const groupBefore = await etag(`/Groups/${group.id}`);
    await scim.send('DELETE', `/Users/${user.id}`);
    expect(await etag(`/Groups/${group.id}`)).not.toBe(groupBefore);
  });

  it('never lets a directory reach another directory’s resources', async () => {
    const a = await scimClient(database.handle);
    const b = await scimClient(database.handle);
    const user = await a.createUser('isolated@example.com');
    const group = await a.createGroup('Isolated');
    for (const [method, path] of [['GET', `/Users/${user.id}`], ['DELETE', `/Users/${user.id}`], ['GET', `/Groups/${group.id}`]] as const) {
      expect((await b.send(method, path)).status).toBe(404);
    }
    expect((await b.send('GET', '/Users?filter=userName%20eq%20%22isolated%40example.com%22')).body.totalResults).toBe(0);
    const bGroup = await b.createGroup('B group');
    const crossMember = await b.patch(`/Groups/${bGroup.id}`, [{ op: 'add', path: 'members', value: [{ value: user.id }] }]);
    expect(crossMember.status).toBe(400);
    expect(crossMember.body.scimType).toBe('invalidValue');
    // b can have its own user with the same userName.
    expect((await b.send('POST', '/Users', { schemas: [USER_URN], userName: 'isolated@example.com' })).status).toBe(201);
  });
});
