// Random conditions, with values from arbitrary strings, numbers, dates and nulls, run against
// stored users and against a small in-memory evaluator of the documented semantics (see
// resource-query-sql.ts). They must never fail at the database, and must return exactly the rows
// the evaluator returns. The users hold awkward data on purpose: values of the wrong JSON type,
// impossible dates, a multi-valued attribute stored as an object, LIKE metacharacters.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { userNameKey, type AttributeRef, type AttributeType, type CompareOp, type Condition } from '../../src/directory/index.ts';
import { comparableDateTime } from '../../src/directory/resource-query/datetime.ts';
import { conditionToSql } from '../../src/directory/resource-query/sql.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
// A custom extension, for integer, decimal and dateTime attributes stored in the document.
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';

const ids = Array.from({ length: 8 }, () => randomUUID());
const groupIds = [randomUUID(), randomUUID()];

interface Row {
  id: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  created: Date;
  document: Record<string, unknown>;
  /** Direct group memberships. */
  groups: string[];
  emailValues: string[];
}

function row(index: number, fields: Omit<Row, 'id' | 'groups' | 'emailValues' | 'externalId' | 'displayName' | 'active'> & Partial<Row>): Row {
  const id = ids[index] as string;
  const emails = Array.isArray(fields.document.emails) ? (fields.document.emails as unknown[]) : [];
  const values = emails.map((e) => (isObject(e) ? e.value : undefined)).filter((v): v is string => typeof v === 'string');
  return {
    id,
    externalId: null,
    displayName: null,
    active: true,
    groups: [],
    emailValues: [...new Set(values.map((v) => v.toLowerCase()))],
    ...fields,
  };
}

const ROWS: Row[] = [
  row(0, {
    userName: 'Zoë_100%@Example.com',
    externalId: 'X-1',
    displayName: 'Zoë \\ Quotes "q"',
    created: new Date('2021-01-01T00:00:00.000Z'),
    groups: [groupIds[0] as string],
    document: {
      schemas: [CORE, ENTERPRISE, ACME],
      name: { givenName: 'Zoë', familyName: "D'Arcy" },
      title: 'VP',
      emails: [
        { value: 'Zoë_100%@Example.com', type: 'work', primary: true },
        { value: 'z@home.test', type: 'home', display: '' },
      ],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
      [ENTERPRISE]: { employeeNumber: '007', manager: { value: ids[1] } },
      [ACME]: { level: 3, score: 3.5, hired: '2021-01-01T00:00:00Z', nickname: 'Zed' },
    },
  }),
  row(1, {
    userName: 'bob',
    active: false,
    created: new Date('2022-02-02T02:02:02.002Z'),
    groups: [groupIds[0] as string, groupIds[1] as string],
    document: {
      schemas: [CORE, ACME],
      name: { givenName: 'Bob' },
      title: '',
      nickName: 'bobby',
      emails: [{ value: 'BOB@example.com', type: 'WORK' }],
      [ACME]: { level: 'high', score: '3.5', hired: '2024-02-30T00:00:00Z' },
    },
  }),
  row(2, {
    userName: 'carol',
    externalId: 'x-1',
    displayName: 'Carol',
    created: new Date('2023-03-03T03:03:03.333Z'),
    groups: [groupIds[1] as string],
    document: {
      schemas: [CORE, ACME],
      title: 5,
      name: 'Carol Jones',
      emails: { value: 'carol@example.com' },
      [ACME]: { level: 10, score: -0.25, hired: '0000-01-01T00:00:00Z' },
    },
  }),
  row(3, {
    userName: 'dave%',
    displayName: '%',
    created: new Date('2021-01-01T00:00:00.000Z'),
    document: {
      schemas: [CORE, ACME],
      emails: ['dave@example.com'],
      phoneNumbers: [],
      [ACME]: { level: 2.5, hired: '2021-01-01T01:00:00+01:00', nickname: 'zed' },
    },
  }),
  row(4, {
    userName: 'eve_',
    displayName: '_',
    created: new Date('2020-12-31T23:59:59.999Z'),
    document: {
      schemas: [CORE, ENTERPRISE, ACME],
      title: 'vp',
      name: {},
      emails: [{ value: null, type: 'work' }, { value: 'eve@Example.COM', primary: false }, {}],
      [ENTERPRISE]: { manager: { value: '' } },
      [ACME]: { hired: '2021-01-01T00:00:00' },
    },
  }),
  row(5, {
    userName: 'frank\\',
    displayName: 'Frank',
    created: new Date('2024-06-30T12:00:00.500Z'),
    document: {
      schemas: [CORE, ACME],
      title: 'Über',
      emails: [
        { value: 'frank@example.com', type: 'work', primary: true },
        { value: 'FRANK@EXAMPLE.COM', type: 'home' },
      ],
      [ACME]: { level: 1e21, score: 0, hired: 'not a date' },
    },
  }),
  row(6, {
    userName: 'ß@x',
    displayName: 'straße',
    created: new Date('2025-01-01T00:00:00.000Z'),
    document: {
      schemas: [CORE, ACME],
      title: 'Straße',
      emails: [{ value: 'ß@x', type: 'work' }],
      [ACME]: { level: -3, hired: '2020-12-31T23:59:59.999Z' },
    },
  }),
  row(7, { userName: 'gina', created: new Date('2025-05-05T05:05:05.005Z'), document: { schemas: [CORE] } }),
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

const FIXTURE_STRINGS = [...new Set(ROWS.flatMap((r) => ['User', r.id, r.userName, r.externalId, r.displayName, ...r.groups, ...strings(r.document)]))].filter(
  (s): s is string => typeof s === 'string',
);

let directoryId: string;

beforeAll(async () => {
  const { db } = database.handle;
  const { org, directory } = await createTestDirectory(database.handle);
  directoryId = directory.id;
  const organizationId = org.organization.id;
  await db.insert(schema.directoryUsers).values(
    ROWS.map((r) => ({
      id: r.id,
      organizationId,
      directoryId,
      userName: r.userName,
      userNameKey: userNameKey(r.userName),
      externalId: r.externalId,
      active: r.active,
      displayName: r.displayName,
      emailValues: r.emailValues,
      document: { ...r.document, userName: r.userName },
      createdAt: r.created,
      updatedAt: r.created,
    })),
  );
  await db.insert(schema.directoryGroups).values(
    groupIds.map((id, i) => ({ id, organizationId, directoryId, displayName: `Group ${i}`, document: { displayName: `Group ${i}` } })),
  );
  await db
    .insert(schema.directoryGroupMembers)
    .values(ROWS.flatMap((r) => r.groups.map((groupId) => ({ directoryId, groupId, userId: r.id }))));
  await foldAll(FIXTURE_STRINGS);
});

// --- case folding as the database does it --------------------------------------------------

// lower() depends on the database's locale; the evaluator asks the database rather than guess.
const folded = new Map<string, string>();

async function foldAll(values: readonly string[]): Promise<void> {
  const missing = [...new Set(values)].filter((v) => !folded.has(v) && storable(v));
  for (let i = 0; i < missing.length; i += 200) {
    const chunk = missing.slice(i, i + 200);
    const result = await database.handle.db.execute(
      sql`SELECT v, lower(v) AS l FROM (VALUES ${sql.join(chunk.map((v) => sql`(${v}::text)`), sql`, `)}) AS t(v)`,
    );
    for (const { v, l } of rowsOf<{ v: string; l: string }>(result)) folded.set(v, l);
  }
}

// postgres.js returns the rows as the result, PGlite inside `rows`.
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

function fold(value: string): string {
  const lower = folded.get(value);
  if (lower === undefined) throw new Error(`no folded form for ${JSON.stringify(value)}`);
  return lower;
}

function storable(value: string): boolean {
  return !value.includes('\u0000') && !/\p{Cs}/u.test(value);
}

// --- the reference evaluator ------------------------------------------------------------------

type Kind = 'text' | 'uuid' | 'boolean' | 'numeric' | 'timestamptz';
type Value = string | number | boolean;

interface Scalar {
  readonly kind: 'scalar';
  readonly type: Kind;
  readonly caseExact: boolean;
  /** Undefined when absent or of another type. */
  readonly value: Value | undefined;
  readonly present: boolean;
  /** What a filter's text goes through before it is compared (userName's key). */
  readonly normalize?: (value: string) => string;
}

interface ValueSet {
  readonly kind: 'set';
  readonly elements: readonly Scalar[];
  /** email_values, for `emails.value eq`. */
  readonly index?: readonly string[];
}

interface Scope {
  target(attr: AttributeRef): Scalar | ValueSet;
  elements(attr: AttributeRef): { items: Scope[]; prefilter?: (condition: Condition) => boolean };
}

function kindOf(type: AttributeType): Kind {
  if (type === 'boolean') return 'boolean';
  if (type === 'integer' || type === 'decimal') return 'numeric';
  if (type === 'dateTime') return 'timestamptz';
  return 'text';
}

function instant(text: string): number | undefined {
  const normal = comparableDateTime(text);
  return normal === undefined ? undefined : Date.parse(normal);
}

function present(json: unknown): boolean {
  if (json === undefined || json === null || json === '') return false;
  if (Array.isArray(json)) return json.length > 0;
  return !isObject(json) || Object.keys(json).length > 0;
}

function fromJson(json: unknown, attr: AttributeRef): Scalar {
  const type = kindOf(attr.type);
  let value: Value | undefined;
  if (type === 'text' && typeof json === 'string') value = json;
  if (type === 'boolean' && typeof json === 'boolean') value = json;
  if (type === 'numeric' && typeof json === 'number') value = json;
  if (type === 'timestamptz' && typeof json === 'string') value = instant(json);
  return { kind: 'scalar', type, caseExact: attr.caseExact, value, present: present(json) };
}

function column(type: Kind, attr: AttributeRef, value: Value | null): Scalar {
  return { kind: 'scalar', type, caseExact: attr.caseExact, value: value ?? undefined, present: value !== null && value !== '' };
}

function member(json: unknown, key: string): unknown {
  return isObject(json) && Object.hasOwn(json, key) ? json[key] : undefined;
}

function locate(document: unknown, path: readonly string[]): { value: unknown; subAttr: string | undefined } {
  const [first = '', ...rest] = path;
  const [name = '', subAttr] = first.includes(':') ? rest : path;
  return { value: member(first.includes(':') ? member(document, first) : document, name), subAttr };
}

function elementScope(element: unknown): Scope {
  return {
    target: (attr) => fromJson(member(element, attr.path[0] ?? ''), attr),
    elements: () => {
      throw new Error('nested element');
    },
  };
}

function groupScope(groupId: string): Scope {
  return {
    target: (attr) => column('uuid', attr, groupId),
    elements: () => {
      throw new Error('nested element');
    },
  };
}

function rootScope(r: Row): Scope {
  return {
    target(attr) {
      switch (attr.path.join('.')) {
        case 'id':
          return column('uuid', attr, r.id);
        case 'userName':
          return { ...column('text', { ...attr, caseExact: true }, userNameKey(r.userName)), normalize: userNameKey };
        case 'externalId':
          return column('text', attr, r.externalId);
        case 'displayName':
          return column('text', attr, r.displayName);
        case 'active':
          return column('boolean', attr, r.active);
        case 'meta.created':
        case 'meta.lastModified':
          return column('timestamptz', attr, r.created.getTime());
        case 'meta.resourceType':
          return column('text', attr, 'User');
      }
      if (attr.path[0] === 'groups') return { kind: 'set', elements: r.groups.map((g) => column('uuid', attr, g)) };
      const { value, subAttr } = locate(r.document, attr.path);
      if (!attr.multiValued) return fromJson(subAttr === undefined ? value : member(value, subAttr), attr);
      const elements = (Array.isArray(value) ? value : []).map((e) => fromJson(subAttr === undefined ? e : member(e, subAttr), attr));
      const indexed = attr.path.join('.') === 'emails.value' && !attr.caseExact;
      return { kind: 'set', elements, ...(indexed && { index: r.emailValues }) };
    },
    elements(attr) {
      if (attr.path[0] === 'groups') return { items: r.groups.map(groupScope) };
      const { value } = locate(r.document, attr.path);
      const items = (Array.isArray(value) ? value : []).map(elementScope);
      if (attr.path[0] !== 'emails') return { items };
      return {
        items,
        prefilter: (condition) => {
          const wanted = requiredEmailValue(condition);
          return wanted === undefined || r.emailValues.includes(wanted.toLowerCase());
        },
      };
    },
  };
}

function requiredEmailValue(condition: Condition): string | undefined {
  if (condition.kind === 'and') return requiredEmailValue(condition.left) ?? requiredEmailValue(condition.right);
  if (condition.kind !== 'compare' || condition.op !== 'eq' || condition.attr.caseExact) return undefined;
  if (condition.attr.path.join('.') !== 'value') return undefined;
  const { value } = condition;
  return typeof value === 'string' && value !== '' && storable(value) ? value : undefined;
}

function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const y = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
}

function ordered(op: CompareOp, order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    default:
      return false;
  }
}

function textMatches(stored: string, op: CompareOp, wanted: string, caseExact: boolean): boolean {
  const f = caseExact ? (s: string) => s : fold;
  if (op === 'eq') return wanted !== '' && f(stored) === f(wanted);
  if (stored === '') return false;
  const [a, b] = [f(stored), f(wanted)];
  if (op === 'co') return a.includes(b);
  if (op === 'sw') return a.startsWith(b);
  if (op === 'ew') return a.endsWith(b);
  return ordered(op, codePointCompare(a, b));
}

function positive(s: Scalar, op: CompareOp, wanted: Value): boolean {
  const { value } = s;
  if (value === undefined) return false;
  switch (s.type) {
    case 'text':
      return typeof wanted === 'string' && textMatches(value as string, op, s.normalize?.(wanted) ?? wanted, s.caseExact);
    case 'uuid': {
      if (typeof wanted !== 'string') return false;
      if (op !== 'eq') return textMatches(value as string, op, wanted, s.caseExact);
      const normal = s.caseExact ? wanted : wanted.toLowerCase();
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(normal) && normal === value;
    }
    case 'boolean':
      return op === 'eq' && wanted === value;
    case 'numeric':
      return typeof wanted === 'number' && ordered(op, Math.sign((value as number) - wanted));
    case 'timestamptz': {
      const time = typeof wanted === 'string' ? instant(wanted) : undefined;
      return time !== undefined && ordered(op, Math.sign((value as number) - time));
    }
  }
}

function isPresent(target: Scalar | ValueSet): boolean {
  return target.kind === 'scalar' ? target.present : target.elements.some((e) => e.present);
}

function compare(target: Scalar | ValueSet, op: CompareOp, wanted: Value | null): boolean {
  if (wanted === null) return op === 'eq' ? !isPresent(target) : op === 'ne' ? isPresent(target) : false;
  if (typeof wanted === 'string' && !storable(wanted)) return op === 'ne';
  if (op === 'ne') return !compare(target, 'eq', wanted);
  if (target.kind === 'scalar') return positive(target, op, wanted);
  if (target.index !== undefined && op === 'eq' && typeof wanted === 'string' && wanted !== '') {
    return target.index.includes(wanted.toLowerCase());
  }
  return target.elements.some((e) => positive(e, op, wanted));
}

function evaluate(condition: Condition, scope: Scope): boolean {
  switch (condition.kind) {
    case 'compare':
      return compare(scope.target(condition.attr), condition.op, condition.value);
    case 'present':
      return isPresent(scope.target(condition.attr));
    case 'and':
      return evaluate(condition.left, scope) && evaluate(condition.right, scope);
    case 'or':
      return evaluate(condition.left, scope) || evaluate(condition.right, scope);
    case 'not':
      return !evaluate(condition.condition, scope);
    case 'element': {
      const { items, prefilter } = scope.elements(condition.attr);
      return (prefilter?.(condition.condition) ?? true) && items.some((item) => evaluate(condition.condition, item));
    }
  }
}

// --- generators -------------------------------------------------------------------------------

function ref(path: readonly string[], type: AttributeType = 'string', options: { caseExact?: boolean; multiValued?: boolean } = {}): AttributeRef {
  return { path, type, caseExact: options.caseExact ?? false, multiValued: options.multiValued ?? false };
}

const TOP_LEVEL: readonly AttributeRef[] = [
  ref(['userName']),
  ref(['externalId'], 'string', { caseExact: true }),
  ref(['displayName']),
  ref(['active'], 'boolean'),
  ref(['id'], 'string', { caseExact: true }),
  ref(['meta', 'created'], 'dateTime'),
  ref(['meta', 'lastModified'], 'dateTime'),
  ref(['meta', 'resourceType'], 'string', { caseExact: true }),
  ref(['title']),
  ref(['nickName']),
  ref(['name'], 'complex'),
  ref(['name', 'givenName']),
  ref(['name', 'familyName']),
  ref(['emails'], 'complex', { multiValued: true }),
  ref(['emails', 'value'], 'string', { multiValued: true }),
  ref(['emails', 'value'], 'string', { multiValued: true, caseExact: true }),
  ref(['emails', 'type'], 'string', { multiValued: true }),
  ref(['emails', 'primary'], 'boolean', { multiValued: true }),
  ref(['phoneNumbers', 'value'], 'string', { multiValued: true }),
  ref(['schemas'], 'reference', { multiValued: true }),
  ref([ENTERPRISE, 'employeeNumber']),
  ref([ENTERPRISE, 'manager', 'value']),
  ref([ACME, 'level'], 'integer'),
  ref([ACME, 'score'], 'decimal'),
  ref([ACME, 'hired'], 'dateTime'),
  ref([ACME, 'nickname'], 'string', { caseExact: true }),
  ref(['groups', 'value'], 'string', { multiValued: true }),
];

const ELEMENT_OWNERS: readonly (readonly [AttributeRef, readonly AttributeRef[]])[] = [
  [
    ref(['emails'], 'complex', { multiValued: true }),
    [ref(['value']), ref(['value'], 'string', { caseExact: true }), ref(['type']), ref(['primary'], 'boolean'), ref(['display'])],
  ],
  [ref(['phoneNumbers'], 'complex', { multiValued: true }), [ref(['value']), ref(['type'])]],
  [ref(['groups'], 'complex', { multiValued: true }), [ref(['value'])]],
];

const OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

// Pieces of stored strings, in either case, so that comparisons often hit.
const nearFixture: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...FIXTURE_STRINGS), fc.nat(), fc.nat(), fc.constantFrom('same', 'upper', 'lower'))
  .map(([text, a, b, casing]) => {
    const chars = Array.from(text);
    const [from, to] = [a % (chars.length + 1), b % (chars.length + 1)].sort((x, y) => x - y);
    const piece = a % 3 === 0 ? text : chars.slice(from, to).join('');
    return casing === 'upper' ? piece.toUpperCase() : casing === 'lower' ? piece.toLowerCase() : piece;
  });

const stringValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nearFixture },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('%', '_', '\\', 'a', 'B', 'ß', 'é', 'Ü', '"', "'", ' ', '@', 'x'), maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '%', '_', '\\') },
);

const dateValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '2021-01-01T00:00:00Z',
    '2021-01-01T01:00:00+01:00',
    '2021-01-01T00:00:00',
    '2020-12-31T23:59:59.999Z',
    '2024-02-30T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '2021-01-01T24:00:00Z',
    '9999-12-31T23:59:59-14:00',
    'not a date',
  ),
  fc.date({ min: new Date('2019-06-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(...ROWS.map((r) => r.created.toISOString())),
);

const numberValue: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(3, 3.5, -0.25, 10, 1e21, 0, -3, 2.5, -0),
  fc.integer({ min: -20, max: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const anyValue: fc.Arbitrary<Value | null> = fc.oneof(
  { weight: 6, arbitrary: stringValue },
  { weight: 2, arbitrary: dateValue },
  { weight: 2, arbitrary: numberValue },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(...ids, ...groupIds, (ids[0] as string).toUpperCase()) },
);

function leafOn(attrs: readonly AttributeRef[]): fc.Arbitrary<Condition> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ attr: fc.constantFrom(...attrs), op: fc.constantFrom(...OPS), value: anyValue }).map((c): Condition => ({ kind: 'compare', ...c })) },
    { weight: 1, arbitrary: fc.constantFrom(...attrs).map((attr): Condition => ({ kind: 'present', attr })) },
  );
}

function treeOver(leaf: fc.Arbitrary<Condition>): fc.Arbitrary<Condition> {
  return fc.letrec<{ node: Condition }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      leaf,
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
      tie('node').map((condition): Condition => ({ kind: 'not', condition })),
    ),
  })).node;
}

const elementCondition: fc.Arbitrary<Condition> = fc
  .constantFrom(...ELEMENT_OWNERS)
  .chain(([owner, subs]) => treeOver(leafOn(subs)).map((condition): Condition => ({ kind: 'element', attr: owner, condition })));

const condition: fc.Arbitrary<Condition> = treeOver(
  fc.oneof({ weight: 4, arbitrary: leafOn(TOP_LEVEL) }, { weight: 1, arbitrary: elementCondition }),
);

function valuesIn(c: Condition): string[] {
  switch (c.kind) {
    case 'compare':
      return typeof c.value === 'string' ? [c.value] : [];
    case 'present':
      return [];
    case 'and':
    case 'or':
      return [...valuesIn(c.left), ...valuesIn(c.right)];
    case 'not':
    case 'element':
      return valuesIn(c.condition);
  }
}

async function matchingIds(c: Condition): Promise<string[]> {
  const u = schema.directoryUsers;
  const rows = await database.handle.db
    .select({ id: u.id })
    .from(u)
    .where(and(eq(u.directoryId, directoryId), conditionToSql(c, 'User')));
  return rows.map((r) => r.id).sort();
}

async function expectSameAsReference(c: Condition): Promise<void> {
  await foldAll(valuesIn(c));
  const expected = ROWS.filter((r) => evaluate(c, rootScope(r)))
    .map((r) => r.id)
    .sort();
  const actual = await matchingIds(c);
  expect(actual, JSON.stringify(c)).toEqual(expected);
}

describe(`resource queries against a reference evaluator on ${testDatabaseKind}`, () => {
  it('never fail at the database and return exactly the rows the evaluator finds', async () => {
    await fc.assert(fc.asyncProperty(condition, expectSameAsReference), { numRuns: 300 });
  });

  it('find each stored value by eq on its own attribute, and nothing by an unstorable one', async () => {
    for (const attr of TOP_LEVEL) {
      for (const value of ['', '\u0000', ...FIXTURE_STRINGS.slice(0, 12)]) {
        await expectSameAsReference({ kind: 'compare', attr, op: 'eq', value });
      }
    }
  });

  it('read impossible stored dates and numbers of the wrong type as absent', async () => {
    const hired = ref([ACME, 'hired'], 'dateTime');
    const level = ref([ACME, 'level'], 'integer');
    await expectSameAsReference({ kind: 'compare', attr: hired, op: 'ge', value: '0001-01-01T00:00:00Z' });
    await expectSameAsReference({ kind: 'compare', attr: level, op: 'gt', value: -1e300 });
    expect(await matchingIds({ kind: 'compare', attr: hired, op: 'eq', value: '2021-01-01T00:00:00Z' })).toEqual(
      [ids[0], ids[3], ids[4]].sort(),
    );
    expect(await matchingIds({ kind: 'compare', attr: level, op: 'ne', value: 3 })).toHaveLength(ROWS.length - 1);
  });
});
