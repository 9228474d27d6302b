/**
 * dateTime values in resource queries. A filter value and a stored document value are compared as
 * `timestamptz`, and PostgreSQL raises an error on a text it cannot read as one (30 February, year
 * 0). Both sides are therefore admitted only in one strict shape, which every PostgreSQL reads the
 * same way whatever the session's time zone.
 */
import { sql, type SQL } from 'drizzle-orm';

// xsd:dateTime (RFC 7643 §2.3.5) without what PostgreSQL reads differently or not at all: year
// 0000, hour 24, leap second 60, zones beyond ±14:59.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

/**
 * The text to bind as a `timestamptz` parameter, or undefined when `text` is not a dateTime the
 * query can compare. A dateTime without a zone is read as UTC (RFC 7643 leaves it open; the
 * session's time zone would make the answer depend on the server's configuration).
 */
export function comparableDateTime(text: string): string | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = match[7];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (zone !== undefined && zone !== 'Z' && (Number(match[8]) > 14 || Number(match[9]) > 59)) return undefined;
  return zone === undefined ? `${text}Z` : text;
}

function daysIn(year: number, month: number): number {
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

// The same shape as DATE_TIME, in PostgreSQL's regular expression dialect (no backslashes, so the
// literal reads the same whatever standard_conforming_strings says).
const SQL_DATE_TIME =
  "'^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?$'";

/**
 * `text` (an SQL text expression, evaluated per row) as a `timestamptz`, or NULL when it is not a
 * dateTime in the strict shape. CASE evaluates its branches in order for per-row values, so the
 * cast runs only on text that has passed the checks; the day is checked against the length of its
 * month first, because the pattern alone lets 30 February through.
 */
export function timestamptzOf(text: SQL): SQL {
  const shaped = sql`${text} ~ ${sql.raw(SQL_DATE_TIME)} AND left(${text}, 4) <> '0000'`;
  const monthStart = sql`(left(${text}, 7) || '-01')::date`;
  const lastDay = sql`extract(day from ${monthStart} + interval '1 month' - interval '1 day')`;
  const zoned = sql`${text} || CASE WHEN ${text} ~ '(Z|[+-][0-9]{2}:[0-9]{2})$' THEN '' ELSE 'Z' END`;
  return sql`(CASE WHEN ${shaped} THEN CASE WHEN substr(${text}, 9, 2)::int <= ${lastDay} THEN (${zoned})::timestamptz END END)`;
}
