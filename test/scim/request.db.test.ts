// Text PostgreSQL cannot store, or that JSON should not carry, is a 400 wherever it arrives (body,
// filter, attribute list, PATCH path, Bulk), never a 500 and never silently replaced; and nothing
// of the refused request is stored.
import { describe, expect, it } from 'vitest';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { PATCH_URN, scimClient, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();

type Scim = Awaited<ReturnType<typeof scimClient>>;

/** Sends raw bytes (or text) as a SCIM request body, as a client with a broken encoder would. */
async function sendRaw(scim: Scim, method: string, path: string, body: Uint8Array | string) {
  const response = await scim.app.request(`${scim.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${scim.dir.token}`, 'Content-Type': 'application/scim+json' },
    body: body as BodyInit,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function userNames(scim: Scim): Promise<string[]> {
  const list = await scim.send('GET', '/Users?count=100');
  expect(list.status).toBe(200);
  return (list.body.Resources ?? []).map((user) => user.userName as string).sort();
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe(`hostile text in SCIM requests on ${testDatabaseKind}`, () => {
  it('refuses a body that is not UTF-8 with invalidSyntax, instead of storing U+FFFD', async () => {
    const scim = await scimClient(database.handle);
    const prefix = utf8(`{"schemas":["${USER_URN}"],"userName":"caf`);
    const body = new Uint8Array([...prefix, 0xe9, ...utf8('@example.com"}')]); // Latin-1 é
    const reply = await sendRaw(scim, 'POST', '/Users', body);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status: '400', scimType: 'invalidSyntax', detail: expect.stringContaining('UTF-8') });
    // An encoded surrogate (CESU-8) is not UTF-8 either.
    const cesu = new Uint8Array([...prefix, 0xed, 0xa0, 0x80, ...utf8('"}')]);
    expect((await sendRaw(scim, 'POST', '/Users', cesu)).body).toMatchObject({ scimType: 'invalidSyntax' });
    expect(await userNames(scim)).toEqual([]);
  });

  it.each([
    ['NUL in a value', `{"schemas":["${USER_URN}"],"userName":"nul\\u0000@example.com"}`],
    ['NUL in a member name', `{"schemas":["${USER_URN}"],"userName":"a@example.com","urn:x:Ext:User\\u0000":{}}`],
    ['NUL deep in a list', `{"schemas":["${USER_URN}"],"userName":"a@example.com","emails":[{"value":"x\\u0000"}]}`],
    ['a lone high surrogate', `{"schemas":["${USER_URN}"],"userName":"\\ud800@example.com"}`],
    ['a lone low surrogate', `{"schemas":["${USER_URN}"],"userName":"a@example.com","displayName":"x\\udc00"}`],
  ])('refuses %s in a POST body with invalidValue and stores nothing', async (_name, body) => {
    const scim = await scimClient(database.handle);
    const reply = await sendRaw(scim, 'POST', '/Users', body);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ scimType: 'invalidValue' });
    expect(await userNames(scim)).toEqual([]);
  });

  it('accepts a surrogate pair, which is one character', async () => {
    const scim = await scimClient(database.handle);
    const reply = await sendRaw(scim, 'POST', '/Users', `{"schemas":["${USER_URN}"],"userName":"\\ud83d\\ude00@example.com"}`);
    expect(reply.status).toBe(201);
    expect(await userNames(scim)).toEqual(['😀@example.com']);
  });

  it('refuses nesting deeper than 32 levels with invalidSyntax before reading it, however deep', async () => {
    const scim = await scimClient(database.handle);
    for (const depth of [33, 100_000]) {
      const reply = await sendRaw(scim, 'POST', '/Users', `{"schemas":["${USER_URN}"],"userName":"a@example.com","x":${nested(depth)}}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringContaining('32 levels') });
    }
    // Brackets inside strings are text, not nesting.
    const inString = await sendRaw(scim, 'POST', '/Users', `{"schemas":["${USER_URN}"],"userName":"${'['.repeat(100)}@example.com"}`);
    expect(inString.status).toBe(201);
  });

  it('refuses NUL in a PATCH value and leaves the user as it was', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('keep@example.com', { displayName: 'Keep' });
    const body = `{"schemas":["${PATCH_URN}"],"Operations":[{"op":"replace","path":"displayName","value":"x\\u0000"}]}`;
    expect((await sendRaw(scim, 'PATCH', `/Users/${user.id}`, body)).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim.send('GET', `/Users/${user.id}`)).body).toMatchObject({ displayName: 'Keep' });
  });

  it('refuses NUL or a lone surrogate in a PATCH path filter with invalidPath', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('path@example.com', { emails: [{ value: 'path@example.com', type: 'work' }] });
    for (const path of ['emails[value eq \\"\\\\u0000\\"].type', 'emails[value eq \\"\\\\ud800\\"].type']) {
      const body = `{"schemas":["${PATCH_URN}"],"Operations":[{"op":"replace","path":"${path}","value":"home"}]}`;
      const reply = await sendRaw(scim, 'PATCH', `/Users/${user.id}`, body);
      expect(reply.status, JSON.stringify(reply.body)).toBe(400);
      expect(reply.body).toMatchObject({ scimType: 'invalidPath' });
    }
    expect((await scim.send('GET', `/Users/${user.id}`)).body).toMatchObject({ emails: [{ value: 'path@example.com', type: 'work' }] });
  });

  it('refuses a Bulk body that is not UTF-8, or that holds NUL, and runs none of it', async () => {
    const scim = await scimClient(database.handle);
    const operation = (userName: string) =>
      `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["${USER_URN}"],"userName":"${userName}"}}]}`;
    const bytes = utf8(operation('bulk@example.com'));
    bytes[bytes.indexOf(0x62 /* b of bulk@ */, 150)] = 0xff;
    expect((await sendRaw(scim, 'POST', '/Bulk', bytes)).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await sendRaw(scim, 'POST', '/Bulk', operation('bulk\\u0000@example.com'))).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(await userNames(scim)).toEqual([]);
  });

  it.each([
    ['an escaped NUL', 'userName%20eq%20%22a%5Cu0000%22'],
    ['a raw NUL', 'userName%20eq%20%22a%00%22'],
    ['an escaped lone surrogate', 'userName%20eq%20%22%5Cud800%22'],
    ['bytes that are not UTF-8', 'userName%20eq%20%22caf%E9%22'],
    ['an encoded surrogate', 'userName%20eq%20%22%ED%A0%80%22'],
    ['a stray percent sign', 'userName%20eq%20%22100%zz%22'],
  ])('refuses a filter with %s in the query string with invalidFilter', async (_name, filter) => {
    const scim = await scimClient(database.handle);
    const reply = await scim.send('GET', `/Users?filter=${filter}`);
    expect(reply.status, reply.text).toBe(400);
    expect(reply.body).toMatchObject({ scimType: 'invalidFilter' });
  });

  it('refuses an escaped NUL in a .search filter, and bad attribute lists, with 400', async () => {
    const scim = await scimClient(database.handle);
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "a\\u0000"' };
    expect((await scim.send('POST', '/Users/.search', search)).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    for (const query of ['attributes=userName%FF', 'excludedAttributes=user%00Name', 'sortBy=%ED%A0%80']) {
      const reply = await scim.send('GET', `/Users?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body).toMatchObject({ scimType: 'invalidValue' });
    }
  });

  it('still reads well-formed percent-encoding, "+" as a space and names in any case', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser('café@example.com');
    const reply = await scim.send('GET', '/Users?FILTER=userName+eq+%22caf%C3%A9%40example.com%22&Attributes=userName');
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.Resources).toEqual([{ schemas: [USER_URN], id: expect.any(String), userName: 'café@example.com' }]);
  });
});
