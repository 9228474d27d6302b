/**
 * The data a run measures against: users and groups pushed through the SCIM API the way Okta and
 * Microsoft Entra ID push them (see scim-examples/), the baseline's identical rows, and, for
 * --scale, a million users copied straight into the tables.
 *
 * Every user is derived from its index, so the baseline and Roster hold the same userNames and
 * documents, and a scenario can name a user by index without looking anything up.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { v7 as uuidv7 } from 'uuid';
import type { Sql } from './database.ts';
import { userNameKey } from '../src/directory/index.ts';
import { runLoad, sendOnce, type HttpRequest, type LoadResult } from './load.ts';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTRA_LEGACY_GROUP_URN = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export type Provider = 'okta' | 'entra';

/** Headers as each IdP sends them (scim-examples/okta, scim-examples/entra). */
export function idpHeaders(provider: Provider, token: string, withBody: boolean): Record<string, string> {
  const auth = { Authorization: `Bearer ${token}` };
  if (provider === 'okta') {
    return {
      ...auth,
      'User-Agent': 'Okta SCIM Client 1.0.0',
      Accept: 'application/scim+json',
      'Accept-Charset': 'utf-8',
      ...(withBody ? { 'Content-Type': 'application/scim+json; charset=utf-8' } : {}),
    };
  }
  return { ...auth, ...(withBody ? { 'Content-Type': 'application/scim+json' } : {}) };
}

const GIVEN = ['Jordan', 'Maya', 'Alex', 'Sam', 'Priya', 'Leo', 'Noor', 'Kenji', 'Ines', 'Tomas', 'Ada', 'Omar', 'Lena', 'Ravi', 'Zoe', 'Mateo'];
const FAMILY = ['Lee', 'Okafor', 'Fischer', 'Garcia', 'Nguyen', 'Patel', 'Kowalski', 'Silva', 'Haddad', 'Moreau', 'Tanaka', 'Berg', 'Rossi', 'Kim'];

export interface Identity {
  givenName: string;
  familyName: string;
  userName: string;
  email: string;
  externalId: string;
}

/** User number `i` of a population; `tag` keeps populations (seed, creates, soak) apart. */
export function identity(tag: string, i: number): Identity {
  const givenName = GIVEN[i % GIVEN.length]!;
  const familyName = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
  const email = `${givenName}.${familyName}.${tag}${i}@example.com`.toLowerCase();
  return { givenName, familyName, userName: email, email, externalId: `00u${tag}${i.toString(36).padStart(8, '0')}` };
}

/**
 * Okta's create as it sends it (scim-examples/okta/04): with password sync on, which Okta apps
 * commonly have, the body carries the user's password. Roster accepts it and keeps none of it.
 */
export function oktaUserBody(id: Identity): Record<string, unknown> {
  return {
    schemas: [USER_URN],
    userName: id.userName,
    name: { givenName: id.givenName, familyName: id.familyName },
    emails: [{ primary: true, value: id.email, type: 'work' }],
    displayName: `${id.givenName} ${id.familyName}`,
    locale: 'en-US',
    externalId: id.externalId,
    groups: [],
    password: `Pw-${id.externalId}-x9`,
    active: true,
  };
}

/** Okta's full-profile PUT (scim-examples/okta/08): the whole object again, a middle name added. */
export function oktaPutBody(userId: string, id: Identity, n: number): Record<string, unknown> {
  return {
    schemas: [USER_URN],
    id: userId,
    userName: id.userName,
    name: { givenName: id.givenName, middleName: `M${n % 97}`, familyName: id.familyName },
    emails: [{ primary: true, value: id.email, type: 'work', display: id.email }],
    displayName: `${id.givenName} ${id.familyName}`,
    locale: 'en-US',
    externalId: id.externalId,
    active: true,
    groups: [],
    meta: { resourceType: 'User' },
  };
}

/** Entra's create (scim-examples/entra/04): core and enterprise schemas, UPN userName, roles: []. */
export function entraUserBody(id: Identity, i: number): Record<string, unknown> {
  return {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: id.externalId,
    userName: id.userName.replace('@example.com', '@example.onmicrosoft.com'),
    active: true,
    displayName: `${id.givenName} ${id.familyName}`,
    emails: [{ primary: true, type: 'work', value: id.email }],
    meta: { resourceType: 'User' },
    name: { formatted: `${id.givenName} ${id.familyName}`, familyName: id.familyName, givenName: id.givenName },
    roles: [],
    [ENTERPRISE_URN]: { department: ['Engineering', 'Sales', 'Finance', 'Support'][i % 4], employeeNumber: String(100000 + i) },
  };
}

export const entraUserName = (id: Identity) => id.userName.replace('@example.com', '@example.onmicrosoft.com');

/** What Roster keeps of an Okta create: the document without the read-only groups and the password. */
export function storedDocument(id: Identity): Record<string, unknown> {
  const { groups: _groups, password: _password, ...document } = oktaUserBody(id);
  return document;
}

export interface SeededUser {
  id: string;
  index: number;
  userName: string;
}

export interface DirectoryTarget {
  provider: Provider;
  id: string;
  token: string;
  /** `/scim/v2/<directoryId>` */
  base: string;
  users: SeededUser[];
  groupIds: string[];
}

/** Where a created resource lives, from the Location of its 201. */
export function idFromLocation(location: string | string[] | undefined): string | undefined {
  const value = Array.isArray(location) ? location[0] : location;
  return value === undefined ? undefined : /\/(?:Users|Groups)\/([^/?#]+)$/.exec(value)?.[1];
}

export interface ApiSeedResult {
  load: LoadResult;
  created: number;
}

/**
 * Pushes users 0..count-1 through POST /Users at the given concurrency, shaped as the directory's
 * IdP shapes them, and records each one's id. Bounded by count and by `maxMs`.
 */
export async function seedUsersThroughApi(
  origin: string,
  dir: DirectoryTarget,
  options: { count: number; concurrency: number; maxMs: number },
): Promise<ApiSeedResult> {
  const found: (SeededUser | undefined)[] = new Array<SeededUser | undefined>(options.count);
  const load = await runLoad({
    origin,
    concurrency: options.concurrency,
    durationMs: options.maxMs,
    maxRequests: options.count,
    request: (i) => {
      if (i >= options.count) return undefined;
      const id = identity('s', i);
      const body = dir.provider === 'okta' ? oktaUserBody(id) : entraUserBody(id, i);
      return {
        method: 'POST',
        path: `${dir.base}/Users`,
        headers: idpHeaders(dir.provider, dir.token, true),
        body: JSON.stringify(body),
        expect: [201],
      };
    },
    check: (i, res) => {
      const userId = idFromLocation(res.headers.location);
      if (userId === undefined) return 'no Location header on the 201';
      const id = identity('s', i);
      found[i] = { id: userId, index: i, userName: dir.provider === 'okta' ? id.userName : entraUserName(id) };
      return undefined;
    },
  });
  dir.users = found.filter((u): u is SeededUser => u !== undefined);
  return { load, created: dir.users.length };
}

/** Users 0..RESERVED-1 are the seeded groups' members; scenarios that add members use the rest. */
export const RESERVED_FOR_GROUPS = 1000;
export const MEMBERS_PER_SEEDED_GROUP = 5;

/** A group as each IdP creates it: Okta's Group Push (okta/13) and Entra's create (entra/19), without members. */
export function groupBody(provider: Provider, name: string, externalId: string): Record<string, unknown> {
  return provider === 'okta'
    ? { schemas: [GROUP_URN], displayName: name, members: [] }
    : { schemas: [GROUP_URN, ENTRA_LEGACY_GROUP_URN], externalId, displayName: name, meta: { resourceType: 'Group' } };
}

/** A membership add as each IdP sends it: Okta's lowercase add with display (okta/14), Entra's "Add" with $ref null (entra/22). */
export function addMembersBody(provider: Provider, users: readonly SeededUser[]): Record<string, unknown> {
  const value =
    provider === 'okta'
      ? users.map((u) => ({ value: u.id, display: u.userName }))
      : users.map((u) => ({ $ref: null, value: u.id }));
  return { schemas: [PATCH_URN], Operations: [{ op: provider === 'okta' ? 'add' : 'Add', path: 'members', value }] };
}

/**
 * Creates `count` groups the way the IdPs do (create, then a PATCH adding members), each with a
 * few members from the reserved users. Returns the load of the creates.
 */
export async function seedGroupsThroughApi(
  origin: string,
  dir: DirectoryTarget,
  options: { count: number; concurrency: number; maxMs: number },
): Promise<{ creates: LoadResult; adds: LoadResult }> {
  const found: (string | undefined)[] = new Array<string | undefined>(options.count);
  const creates = await runLoad({
    origin,
    concurrency: options.concurrency,
    durationMs: options.maxMs,
    maxRequests: options.count,
    request: (i) =>
      i >= options.count
        ? undefined
        : {
            method: 'POST',
            path: `${dir.base}/Groups`,
            headers: idpHeaders(dir.provider, dir.token, true),
            body: JSON.stringify(groupBody(dir.provider, `${dir.provider} group ${i}`, uuidv7())),
            expect: [201],
          },
    check: (i, res) => {
      const groupId = idFromLocation(res.headers.location);
      if (groupId === undefined) return 'no Location header on the 201';
      found[i] = groupId;
      return undefined;
    },
  });
  dir.groupIds = found.filter((g): g is string => g !== undefined);
  const pool = dir.users.slice(0, Math.min(RESERVED_FOR_GROUPS, dir.users.length));
  const adds = await runLoad({
    origin,
    concurrency: options.concurrency,
    durationMs: options.maxMs,
    maxRequests: dir.groupIds.length,
    request: (i) => {
      const groupId = dir.groupIds[i];
      if (groupId === undefined || pool.length === 0) return undefined;
      const members = Array.from({ length: MEMBERS_PER_SEEDED_GROUP }, (_, k) => pool[(i * MEMBERS_PER_SEEDED_GROUP + k) % pool.length]!);
      return {
        method: 'PATCH',
        path: `${dir.base}/Groups/${groupId}`,
        headers: idpHeaders(dir.provider, dir.token, true),
        body: JSON.stringify(addMembersBody(dir.provider, [...new Map(members.map((m) => [m.id, m])).values()])),
        expect: [204, 200],
      };
    },
  });
  return { creates, adds };
}

/** Creates one empty group through the API (for the membership scenarios). */
export async function createEmptyGroup(origin: string, dir: DirectoryTarget, name: string): Promise<string> {
  const res = await sendOnce(origin, {
    method: 'POST',
    path: `${dir.base}/Groups`,
    headers: idpHeaders(dir.provider, dir.token, true),
    body: JSON.stringify(groupBody(dir.provider, name, uuidv7())),
    expect: [201],
  });
  const id = idFromLocation(res.headers.location);
  if (res.status !== 201 || id === undefined) throw new Error(`creating group "${name}" answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Bulk loading with COPY, for the baseline and for --scale.

function copyEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

const COPY_CHUNK_ROWS = 2000;

/**
 * Streams `count` rows into `copy <table> (<columns>) from stdin`, `line(i)` giving row i as its
 * already tab-separated, escaped text. Chunks keep memory flat however many rows there are.
 */
async function copyRows(sql: Sql, statement: string, count: number, line: (i: number) => string, onProgress?: (done: number) => void) {
  const writable = await sql.unsafe(statement).writable();
  async function* chunks() {
    for (let start = 0; start < count; start += COPY_CHUNK_ROWS) {
      let text = '';
      const end = Math.min(count, start + COPY_CHUNK_ROWS);
      for (let i = start; i < end; i++) text += `${line(i)}\n`;
      yield text;
      onProgress?.(end);
    }
  }
  await pipeline(Readable.from(chunks()), writable);
}

export interface BaselineSeed {
  directoryId: string;
  ids: string[];
  userNames: string[];
}

/**
 * The baseline's table, shaped like directory_users where a lookup touches it: a uuid key, the
 * directory, a userName unique per directory through lower(), and the document as jsonb. Filled
 * with the same users (userNames and documents) the Okta directory receives through the API.
 */
export async function seedBaseline(sql: Sql, count: number): Promise<BaselineSeed> {
  await sql.unsafe(`
    create table baseline_users (
      id uuid primary key,
      directory_id uuid not null,
      user_name text not null,
      document jsonb not null
    );
    create unique index baseline_users_user_name_key on baseline_users (directory_id, lower(user_name));
  `);
  const directoryId = uuidv7();
  const ids = Array.from({ length: count }, () => uuidv7());
  const userNames = Array.from({ length: count }, (_, i) => identity('s', i).userName);
  await copyRows(sql, 'copy baseline_users (id, directory_id, user_name, document) from stdin', count, (i) => {
    const id = identity('s', i);
    return [ids[i]!, directoryId, copyEscape(id.userName), copyEscape(JSON.stringify(storedDocument(id)))].join('\t');
  });
  return { directoryId, ids, userNames };
}

export interface ScaleSeedTarget {
  organizationId: string;
  directoryId: string;
  /** A document Roster stored for a user created through POST /Users: the shape to copy. */
  template: Record<string, unknown>;
}

/**
 * Copies `count` users straight into directory_users, one directory, with documents of exactly the
 * shape POST /Users stores (taken from a stored row) and the indexed columns filled as Roster's
 * writer fills them. Ids are time-ordered like Roster's.
 */
export async function bulkSeedUsers(sql: Sql, target: ScaleSeedTarget, count: number, onProgress?: (done: number) => void): Promise<void> {
  const template = target.template;
  const templateName = (template.name ?? {}) as Record<string, unknown>;
  const templateEmail = ((template.emails as Record<string, unknown>[] | undefined) ?? [{}])[0] ?? {};
  const columns = 'id, organization_id, directory_id, user_name, user_name_key, external_id, active, display_name, email_values, document, version';
  await copyRows(
    sql,
    `copy directory_users (${columns}) from stdin`,
    count,
    (i) => {
      const id = identity('x', i);
      const displayName = `${id.givenName} ${id.familyName}`;
      const document = {
        ...template,
        userName: id.userName,
        name: { ...templateName, givenName: id.givenName, familyName: id.familyName },
        emails: [{ ...templateEmail, value: id.email }],
        displayName,
        externalId: id.externalId,
        active: true,
      };
      return [
        uuidv7(),
        target.organizationId,
        target.directoryId,
        copyEscape(id.userName),
        copyEscape(userNameKey(id.userName)),
        copyEscape(id.externalId),
        't',
        copyEscape(displayName),
        copyEscape(textArrayLiteral([id.email.toLowerCase()])),
        copyEscape(JSON.stringify(document)),
        '1',
      ].join('\t');
    },
    onProgress,
  );
}

/** The request for user `u` of a directory, as its IdP reads one user. */
export function getUserRequest(dir: DirectoryTarget, userId: string): HttpRequest {
  return { method: 'GET', path: `${dir.base}/Users/${userId}`, headers: idpHeaders(dir.provider, dir.token, false), expect: [200] };
}
