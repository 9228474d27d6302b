// Filters and sorts over stored users and groups, each checked for exactly the rows it returns.
// Rows are inserted directly, so these tests depend on the table layout and nothing else.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { userNameKey, type Condition, type ResourceKind } from '../../src/directory/index.ts';
import { conditionToSql, sortToSql } from '../../src/directory/resource-query/sql.ts';
import { filterToCondition, parseAttrPath, parseFilter, sortByToSpec } from '../../src/scim/filter/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const users = schema.directoryUsers;
const groups = schema.directoryGroups;

const USER_NAMES = ['alice', 'bob', 'carol', 'dave', 'eve'] as const;
const GROUP_NAMES = ['engineering', 'sales', 'club', 'salesx'] as const;
type UserName = (typeof USER_NAMES)[number];
type GroupName = (typeof GROUP_NAMES)[number];

const id = Object.fromEntries([...USER_NAMES, ...GROUP_NAMES].map((name) => [name, randomUUID()])) as Record<UserName | GroupName, string>;
const nameOf = new Map(Object.entries(id).map(([name, uuid]) => [uuid, name]));

let directoryId: string;

interface UserFixture {
  userName: string;
  externalId?: string;
  active?: boolean;
  displayName?: string;
  created: string;
  document: Record<string, unknown>;
}

// A realistic spread: names, emails with type and primary, phone numbers, the enterprise
// extension, LIKE metacharacters in values, and attributes missing or empty on some users.
const USERS: Record<UserName, UserFixture> = {
  alice: {
    userName: 'Alice@Example.com',
    externalId: 'ext-A',
    displayName: 'Alice Smith',
    created: '2020-01-01T00:00:00.000Z',
    document: {
      schemas: [CORE, ENTERPRISE],
      name: { formatted: 'Alice Smith', givenName: 'Alice', familyName: 'Smith' },
      title: 'Engineer',
      userType: 'Employee',
      emails: [
        { value: 'Alice@Example.com', type: 'work', primary: true },
        { value: 'alice@home.org', type: 'home' },
      ],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      [ENTERPRISE]: { employeeNumber: '701984', department: 'R&D', manager: { value: id.bob } },
    },
  },
  bob: {
    userName: 'bob',
    externalId: 'EXT-B',
    active: false,
    displayName: 'Bob 100% Jones',
    created: '2021-06-15T00:00:00.000Z',
    document: {
      schemas: [CORE, ENTERPRISE],
      name: { givenName: 'Bob', familyName: "O'Malley" },
      userType: 'Contractor',
      emails: [{ value: 'bob_jones@example.org', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0199', type: 'mobile' }],
      [ENTERPRISE]: { employeeNumber: '42' },
    },
  },
  carol: {
    userName: 'carol\\admin',
    created: '2022-03-01T12:30:00.000Z',
    document: { schemas: [CORE], name: { familyName: 'Carol_x' }, title: '', emails: [] },
  },
  dave: {
    userName: 'dave',
    displayName: 'Dave',
    created: '2023-01-01T00:00:00.250Z',
    document: {
      schemas: [CORE],
      name: { givenName: 'Dave', familyName: 'Jones' },
      title: 'Intern',
      userType: 'Intern',
      emails: [
        { value: 'dave@example.com', type: 'home' },
        { value: 'd.work@example.com', type: 'work', primary: true },
      ],
    },
  },
  eve: {
    userName: 'Eve',
    externalId: 'ext-e',
    displayName: '1000 Jones',
    created: '2024-05-05T05:05:05.555Z',
    document: {
      schemas: [CORE],
      name: { givenName: 'Eve' },
      title: 'Manager',
      emails: [
        { value: 'bobxjones@example.org', type: 'other' },
        { value: 'aaa@example.net', type: 'home' },
      ],
    },
  },
};

const GROUPS: Record<GroupName, { displayName: string; externalId?: string; users: UserName[]; groups: GroupName[] }> = {
  engineering: { displayName: 'Engineering', externalId: 'g-1', users: ['alice', 'bob'], groups: [] },
  sales: { displayName: 'Sales_Team', users: ['carol'], groups: ['engineering'] },
  club: { displayName: '100% Club', externalId: 'g-3', users: [], groups: [] },
  salesx: { displayName: 'SalesXTeam', users: [], groups: [] },
};

/** email_values as the writer fills it: every string value, lower-cased, once. */
function emailValues(document: Record<string, unknown>): string[] {
  const emails = Array.isArray(document.emails) ? (document.emails as { value?: unknown }[]) : [];
  return [...new Set(emails.map((e) => e.value).filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()))];
}

beforeAll(async () => {
  const { db } = database.handle;
  const { org, directory } = await createTestDirectory(database.handle);
  directoryId = directory.id;
  const organizationId = org.organization.id;
  await db.insert(users).values(
    USER_NAMES.map((name) => {
      const u = USERS[name];
      const document = { ...u.document, userName: u.userName, active: u.active ?? true, ...(u.externalId && { externalId: u.externalId }), ...(u.displayName && { displayName: u.displayName }) };
      return {
        id: id[name],
        organizationId,
        directoryId,
        userName: u.userName,
        userNameKey: userNameKey(u.userName),
        externalId: u.externalId ?? null,
        active: u.active ?? true,
        displayName: u.displayName ?? null,
        emailValues: emailValues(document),
        document,
        createdAt: new Date(u.created),
        updatedAt: new Date(u.created),
      };
    }),
  );
  await db.insert(groups).values(
    GROUP_NAMES.map((name) => {
      const g = GROUPS[name];
      return {
        id: id[name],
        organizationId,
        directoryId,
        displayName: g.displayName,
        externalId: g.externalId ?? null,
        document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: g.displayName, ...(g.externalId && { externalId: g.externalId }) },
      };
    }),
  );
  await db.insert(schema.directoryGroupMembers).values(
    GROUP_NAMES.flatMap((name) => GROUPS[name].users.map((user) => ({ directoryId, groupId: id[name], userId: id[user] }))),
  );
  await db.insert(schema.directoryGroupSubgroups).values(
    GROUP_NAMES.flatMap((name) => GROUPS[name].groups.map((member) => ({ directoryId, groupId: id[name], memberGroupId: id[member] }))),
  );

  // The same userName and email in another directory of another organization must never show.
  const other = await createTestDirectory(database.handle);
  await db.insert(users).values({
    id: randomUUID(),
    organizationId: other.org.organization.id,
    directoryId: other.directory.id,
    userName: 'alice@example.com',
    userNameKey: 'alice@example.com',
    emailValues: ['alice@example.com'],
    document: { schemas: [CORE], userName: 'alice@example.com', emails: [{ value: 'alice@example.com' }] },
  });
});

function bind(filter: string, kind: ResourceKind): Condition {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const bound = filterToCondition(parsed.value, kind);
  if (!bound.ok) throw new Error(bound.error.detail);
  return bound.value;
}

async function select(kind: ResourceKind, where: SQL | undefined, orderBy: SQL[] = []): Promise<string[]> {
  const table = kind === 'User' ? users : groups;
  const rows = await database.handle.db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.directoryId, directoryId), where))
    .orderBy(...orderBy, asc(table.id));
  return rows.map((row) => nameOf.get(row.id) ?? row.id);
}

/** The names of the users `filter` finds, sorted. */
async function usersWhere(filter: string): Promise<string[]> {
  return (await select('User', conditionToSql(bind(filter, 'User'), 'User'))).sort();
}

async function groupsWhere(filter: string): Promise<string[]> {
  return (await select('Group', conditionToSql(bind(filter, 'Group'), 'Group'))).sort();
}

async function sorted(kind: ResourceKind, sortBy: string, order?: 'ascending' | 'descending'): Promise<string[]> {
  const path = parseAttrPath(sortBy);
  if (!path.ok) throw new Error(path.error.detail);
  const spec = sortByToSpec(path.value, order, kind);
  if (!spec.ok) throw new Error(spec.error.detail);
  return select(kind, undefined, [sortToSql(spec.value, kind)]);
}

const ALL_USERS = [...USER_NAMES];
const others = (...excluded: UserName[]) => ALL_USERS.filter((name) => !excluded.includes(name));

type Case = readonly [filter: string, expected: readonly string[]];

function table(title: string, cases: readonly Case[], kind: ResourceKind = 'User'): void {
  describe(title, () => {
    it.each(cases)('%s', async (filter, expected) => {
      expect(await (kind === 'User' ? usersWhere(filter) : groupsWhere(filter))).toEqual([...expected].sort());
    });
  });
}

describe(`resource queries on ${testDatabaseKind}`, () => {
  table('userName and emails, case-insensitively', [
    ['userName eq "alice@example.COM"', ['alice']],
    ['USERNAME EQ "ALICE@EXAMPLE.COM"', ['alice']],
    ['userName eq "alice"', []],
    ['userName ne "BOB"', others('bob')],
    ['emails.value eq "ALICE@example.com"', ['alice']],
    ['emails eq "alice@HOME.org"', ['alice']],
    ['emails.value ne "alice@home.org"', others('alice')],
    ['emails.value co "EXAMPLE.org"', ['bob', 'eve']],
    ['emails.value ew "@EXAMPLE.COM"', ['alice', 'dave']],
    ['emails.type eq "WORK"', ['alice', 'bob', 'dave']],
  ]);

  table('LIKE metacharacters in co, sw and ew match literally', [
    ['displayName co "100%"', ['bob']],
    ['displayName sw "1000"', ['eve']],
    ['emails.value sw "bob_"', ['bob']],
    ['name.familyName co "l_x"', ['carol']],
    ['name.familyName ew "_X"', ['carol']],
    ['userName co "\\\\"', ['carol']],
    ['userName ew "\\\\ADMIN"', ['carol']],
    ['userName sw "%"', []],
    ['userName co "_"', []],
    ['displayName co ""', ['alice', 'bob', 'dave', 'eve']],
  ]);

  table('externalId compares case-sensitively', [
    ['externalId eq "EXT-B"', ['bob']],
    ['externalId eq "ext-b"', []],
    ['externalId sw "ext-"', ['alice', 'eve']],
  ]);

  table('absent attributes: ne, pr and null', [
    ['externalId ne "ext-A"', others('alice')],
    ['externalId pr', ['alice', 'bob', 'eve']],
    ['externalId eq null', ['carol', 'dave']],
    ['externalId ne null', ['alice', 'bob', 'eve']],
    ['title pr', ['alice', 'dave', 'eve']],
    ['title eq ""', []],
    ['title ne "Engineer"', others('alice')],
    ['title eq null', ['bob', 'carol']],
    ['not (title eq "Engineer")', others('alice')],
    ['title gt "F"', ['dave', 'eve']],
    ['title lt "f"', ['alice']],
    ['displayName pr', others('carol')],
    ['emails pr', others('carol')],
    ['name.givenName pr', others('carol')],
    ['not (emails.value pr)', ['carol']],
    ['phoneNumbers eq null', ['carol', 'dave', 'eve']],
  ]);

  table('booleans', [
    ['active eq false', ['bob']],
    ['active eq true', others('bob')],
    ['active ne true', ['bob']],
    ['active eq "TRUE"', others('bob')],
    ['emails[primary eq true]', ['alice', 'bob', 'dave']],
    ['emails.primary ne true', ['carol', 'eve']],
  ]);

  table('dates compare as instants', [
    ['meta.created gt "2021-06-15T00:00:00Z"', ['carol', 'dave', 'eve']],
    ['meta.created ge "2021-06-15T00:00:00Z"', ['bob', 'carol', 'dave', 'eve']],
    ['meta.created lt "2021-06-15T02:00:00+02:00"', ['alice']],
    ['meta.created eq "2021-06-15T02:00:00+02:00"', ['bob']],
    ['meta.created eq "2023-01-01T00:00:00.250Z"', ['dave']],
    ['meta.created eq "2022-03-01T12:30:00"', ['carol']],
    ['meta.lastModified le "2020-01-01T00:00:00.000Z"', ['alice']],
    ['meta.lastModified ne "2020-01-01T00:00:00Z"', others('alice')],
  ]);

  table('and, or and not, nested', [
    ['(userType eq "Employee" or userType eq "Contractor") and not (active eq false)', ['alice']],
    ['not (emails.value co "example" or title pr)', ['carol']],
    ['userName sw "a" or (name.givenName pr and not (name.givenName eq "Eve"))', ['alice', 'bob', 'dave']],
    ['not (not (userName eq "bob"))', ['bob']],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ['carol']],
  ]);

  table('element filters hold for one element', [
    ['emails[type eq "work" and value co "example.com"]', ['alice', 'dave']],
    ['emails[type eq "home"].value ew "example.com"', ['dave']],
    ['emails.type eq "home" and emails.value ew "example.com"', ['alice', 'dave']],
    ['emails[type eq "work" and primary eq true]', ['alice', 'bob', 'dave']],
    ['emails[type eq "work"].value eq "D.WORK@example.com"', ['dave']],
    ['emails[type eq "home"].value eq "D.WORK@example.com"', []],
    ['emails[not (type eq "work")]', ['alice', 'dave', 'eve']],
    ['emails[value eq "ALICE@EXAMPLE.COM" or type eq "other"]', ['alice', 'eve']],
    ['phoneNumbers[type eq "mobile"]', ['bob']],
    ['name[givenName eq "bob" and familyName sw "O\'"]', ['bob']],
  ]);

  table('the enterprise extension, schemas, id and resourceType', [
    ['employeeNumber eq "42"', ['bob']],
    [`${ENTERPRISE}:employeeNumber eq "701984"`, ['alice']],
    [`${ENTERPRISE}:department co "&"`, ['alice']],
    [`manager eq "${id.bob}"`, ['alice']],
    ['manager.value pr', ['alice']],
    [`schemas eq "${ENTERPRISE}"`, ['alice', 'bob']],
    [`schemas eq "${ENTERPRISE.toUpperCase()}"`, ['alice', 'bob']],
    [`id eq "${id.alice}"`, ['alice']],
    [`id eq "${id.alice.toUpperCase()}"`, []],
    [`id ne "${id.alice}"`, others('alice')],
    [`id sw "${id.alice.slice(0, 13)}"`, ['alice']],
    ['id eq "not-a-uuid"', []],
    ['meta.resourceType eq "User"', ALL_USERS],
    ['meta.resourceType eq "Group"', []],
  ]);

  table('groups of a user are its direct memberships', [
    [`groups.value eq "${id.engineering}"`, ['alice', 'bob']],
    [`groups eq "${id.sales}"`, ['carol']],
    [`groups[value eq "${id.engineering}"]`, ['alice', 'bob']],
    ['groups pr', ['alice', 'bob', 'carol']],
    ['not (groups pr)', ['dave', 'eve']],
    [`groups.value ne "${id.engineering}"`, ['carol', 'dave', 'eve']],
  ]);

  table(
    'groups: displayName, externalId and members',
    [
      ['displayName eq "ENGINEERING"', ['engineering']],
      ['displayName co "100%"', ['club']],
      ['displayName sw "Sales_"', ['sales']],
      ['externalId eq "g-3"', ['club']],
      [`members.value eq "${id.alice}"`, ['engineering']],
      [`members eq "${id.carol}"`, ['sales']],
      [`members[value eq "${id.engineering}"]`, ['sales']],
      ['members[type eq "Group"]', ['sales']],
      [`members[type eq "User" and value eq "${id.bob}"]`, ['engineering']],
      [`members[type eq "Group" and value eq "${id.bob}"]`, []],
      ['members pr', ['engineering', 'sales']],
      ['not (members pr)', ['club', 'salesx']],
      ['members.value eq "not-a-uuid"', []],
      ['members.value ne "not-a-uuid"', [...GROUP_NAMES]],
      [`members.value eq "${id.alice.toUpperCase()}"`, ['engineering']],
    ],
    'Group',
  );

  describe('sorting', () => {
    it('sorts userName case-insensitively, both ways', async () => {
      expect(await sorted('User', 'userName')).toEqual(['alice', 'bob', 'carol', 'dave', 'eve']);
      expect(await sorted('User', 'userName', 'descending')).toEqual(['eve', 'dave', 'carol', 'bob', 'alice']);
    });

    it('puts users without the attribute last in either direction', async () => {
      expect(await sorted('User', 'displayName')).toEqual(['eve', 'alice', 'bob', 'dave', 'carol']);
      expect(await sorted('User', 'displayName', 'descending')).toEqual(['dave', 'bob', 'alice', 'eve', 'carol']);
      expect(await sorted('User', 'name.givenName', 'descending')).toEqual(['eve', 'dave', 'bob', 'alice', 'carol']);
      // bob has no title and carol an empty one: both last, in id order.
      const byTitle = await sorted('User', 'title');
      expect(byTitle.slice(0, 3)).toEqual(['alice', 'dave', 'eve']);
      expect(byTitle.slice(3).sort()).toEqual(['bob', 'carol']);
    });

    it('sorts a multi-valued attribute by its primary value, else its first', async () => {
      expect(await sorted('User', 'emails')).toEqual(['alice', 'bob', 'eve', 'dave', 'carol']);
      expect(await sorted('User', 'emails.value', 'descending')).toEqual(['dave', 'eve', 'bob', 'alice', 'carol']);
    });

    it('sorts dates, booleans and group names', async () => {
      expect(await sorted('User', 'meta.created', 'descending')).toEqual(['eve', 'dave', 'carol', 'bob', 'alice']);
      expect((await sorted('User', 'active'))[0]).toBe('bob');
      expect(await sorted('Group', 'displayName')).toEqual(['club', 'engineering', 'sales', 'salesx']);
    });

    it('combines with a filter', async () => {
      const where = conditionToSql(bind('emails.value co "example"', 'User'), 'User');
      const path = parseAttrPath('name.familyName');
      if (!path.ok) throw new Error(path.error.detail);
      const spec = sortByToSpec(path.value, 'descending', 'User');
      if (!spec.ok) throw new Error(spec.error.detail);
      expect(await select('User', where, [sortToSql(spec.value, 'User')])).toEqual(['alice', 'bob', 'dave', 'eve']);
    });
  });
});

describe(`userName after Unicode normalisation on ${testDatabaseKind}`, () => {
  // One user stored composed (é as U+00E9), one decomposed (ë as e + U+0308), as IdPs send either.
  const composed = 'Jos\u00e9@Example.com';
  const decomposed = 'Zoe\u0308@Example.com';
  let otherDirectory: string;
  const named = new Map<string, string>();

  beforeAll(async () => {
    const { org, directory } = await createTestDirectory(database.handle);
    otherDirectory = directory.id;
    for (const userName of [composed, decomposed]) {
      const userId = randomUUID();
      named.set(userId, userName);
      await database.handle.db.insert(users).values({
        id: userId,
        organizationId: org.organization.id,
        directoryId: otherDirectory,
        userName,
        userNameKey: userNameKey(userName),
        emailValues: [],
        document: { schemas: [CORE], userName },
      });
    }
  });

  async function found(filter: string): Promise<string[]> {
    const rows = await database.handle.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.directoryId, otherDirectory), conditionToSql(bind(filter, 'User'), 'User')));
    return rows.map((row) => named.get(row.id) ?? row.id).sort();
  }

  it.each([
    ['userName eq "jos\u00e9@example.com"', [composed]],
    ['userName eq "JOSE\u0301@EXAMPLE.COM"', [composed]],
    ['userName eq "zo\u00eb@example.com"', [decomposed]],
    ['userName eq "ZOE\u0308@example.com"', [decomposed]],
    ['userName ne "jose\u0301@example.com"', [decomposed]],
    ['userName sw "JOSE\u0301"', [composed]],
    ['userName co "\u00cb@"', [decomposed]],
    ['userName ew "\u00c9@example.com"', [composed]],
    ['userName gt "jos\u00e9@example.com"', [decomposed]],
    ['userName le "JOSE\u0301@example.com"', [composed]],
  ])('%s finds the user whichever form either side uses', async (filter, expected) => {
    expect(await found(filter)).toEqual(expected);
  });
});
