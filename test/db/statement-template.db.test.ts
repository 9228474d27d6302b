import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryTemplate, statementTemplate, withTransaction } from '../../src/db/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();

describe('statementTemplate', () => {
  it('puts each slot and constant where the build passed it, as parameters in order', () => {
    const template = statementTemplate<'a' | 'b'>((slot) => sql`select ${slot('b')}, ${7}, ${sql`${slot('a')} || ${slot('b')}`}`);
    expect(template).toEqual({ text: 'select $1, $2, $3 || $4', params: [{ slot: 'b' }, { value: 7 }, { slot: 'a' }, { slot: 'b' }] });
  });

  it('refuses a build that writes a slot or a $n into the SQL text, or that drizzle alone can build', () => {
    expect(() => statementTemplate<'a'>((slot) => sql.raw(`select '${slot('a')}'`))).toThrow(/slot ended up in the SQL text/);
    expect(() => statementTemplate<'a'>((slot) => sql`select ${[slot('a')]}`)).toThrow(/must be made of/);
    expect(() => statementTemplate<'a'>((slot) => sql`select '$1', ${slot('a')}`)).toThrow(/holds a \$n of its own/);
  });
});

describe(`queryTemplate on ${testDatabaseKind}`, () => {
  const template = statementTemplate<'name' | 'n'>(
    (slot) => sql`select ${slot('name')}::text as name, ${slot('n')}::int * ${2}::int as twice, ${'$1 stays text'}::text as note`,
  );

  it('fills the slots with the values of each call, prepared or inside a transaction', async () => {
    const expected = [{ name: 'ada', twice: 42, note: '$1 stays text' }];
    expect(await queryTemplate(database.handle.db, template, { name: 'ada', n: 21 })).toEqual(expected);
    expect(await queryTemplate(database.handle.db, template, { name: 'bob', n: 1 })).toEqual([{ ...expected[0], name: 'bob', twice: 2 }]);
    const inTransaction = await withTransaction(database.handle.db, (tx) => queryTemplate(tx, template, { name: 'ada', n: 21 }));
    expect(inTransaction).toEqual(expected);
  });
});
