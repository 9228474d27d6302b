import { eq, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { flatten } from '../../src/db/prepared.ts';
import { schema } from '../../src/db/index.ts';

const dialect = new PgDialect();
const COLUMNS = sql.raw('u.id, u.version');
const when = new Date('2026-01-02T03:04:05.678Z');

describe('flatten', () => {
  const sameAsDrizzle: [string, SQL][] = [
    ['text only', sql`select 1`],
    ['values of every plain kind', sql`select ${'a'}, ${42}, ${1.5}, ${true}, ${null}, ${when}, ${10n}`],
    ['raw fragments and nested templates', sql`select ${COLUMNS} from t u where u.d = ${'d'} and ${sql`u.id = ${'x'} and ${sql`u.v = ${3}`}`}`],
    ['an undefined chunk contributes nothing', sql`select ${sql`1`}${undefined}`],
    ['the same value twice is two parameters', sql`select ${'x'} = ${'x'}`],
    ['sql.join', sql`select ${sql.join([sql`${1}`, sql`${2}`], sql`, `)}`],
  ];
  it.each(sameAsDrizzle)('%s: the text and parameters drizzle builds', (_name, query) => {
    const expected = dialect.sqlToQuery(query);
    expect(flatten(query)).toEqual({ sql: expected.sql, params: expected.params });
  });

  const leftToDrizzle: [string, SQL][] = [
    ['an array, which drizzle spreads into a list', sql`select ${['a', 'b']}`],
    ['a column', sql`select ${schema.directoryUsers.id}`],
    ['a typed parameter', sql`${eq(schema.directoryUsers.id, 'x')}`],
    ['inlined parameters', sql`select ${sql`${'a'}`.inlineParams()}`],
  ];
  it.each(leftToDrizzle)('%s: left to the dialect', (_name, query) => {
    expect(flatten(query)).toBeUndefined();
  });
});
