/**
 * Inviting from a CSV file (columns email, role, teams; a header row first), row by row: every
 * valid row is invited and every other row says why not, in one transaction. Rows beyond the free
 * seats are refused in file order. The whole file costs a few statements, whatever its length.
 */
import { parse } from 'csv-parse/sync';
import { withTransaction } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { requirePermission } from '../access/index.ts';
import type { OrgContext } from '../context.ts';
import { emailKey, requireSeats } from '../members/index.ts';
import { addressProblem, parseEmailAddress } from './addresses.ts';
import {
  existingMembers,
  inviterName,
  loadInvitingOrganization,
  loadRoles,
  loadTeams,
  roleRefusal,
  teamNameKey,
  writeInvitations,
  type InvitationDelivery,
  type TeamRef,
} from './invitation-writes.ts';

/** The most rows one file invites. */
export const MAX_IMPORT_ROWS = 10_000;
export const IMPORT_COLUMNS = ['email', 'role', 'teams'] as const;

export const IMPORT_RESULTS = [
  'invited',
  'invalid_email',
  'duplicate_in_file',
  'already_member',
  'over_seat_limit',
  'unknown_role',
  'unknown_team',
  'forbidden_role',
] as const;
export type ImportResult = (typeof IMPORT_RESULTS)[number];

export interface ImportedRow {
  /** The line of the file the row starts on (the header is line 1). */
  row: number;
  /** The address as the file gave it. */
  email: string;
  result: ImportResult;
  detail: string;
  /** The invited member, for `invited` rows. */
  id?: string;
  expiresAt?: Date;
}

interface CsvRow {
  line: number;
  email: string;
  role: string;
  teams: string[];
}

/**
 * Invites the file's valid rows and reports on each. A file that is not CSV, has no `email`
 * column, an unknown column or more than MAX_IMPORT_ROWS rows is refused as a whole.
 */
export async function importInvitations(ctx: OrgContext, input: InvitationDelivery & { csv: string }): Promise<ImportedRow[]> {
  requirePermission(ctx, 'members.manage', 'importing invitations');
  const rows = parseInvitationCsv(input.csv);
  const results: (ImportedRow | undefined)[] = rows.map(() => undefined);
  const refuse = (i: number, result: ImportResult, detail: string) => {
    results[i] = { row: rows[i]!.line, email: rows[i]!.email, result, detail };
  };

  // What the file alone tells: addresses, repeats, roles the actor may not give.
  const firstLine = new Map<string, number>();
  const addresses: (string | undefined)[] = rows.map((row, i) => {
    const email = parseEmailAddress(row.email);
    if (email === undefined) return void refuse(i, 'invalid_email', addressProblem(row.email));
    const key = emailKey(email);
    const first = firstLine.get(key);
    if (first !== undefined) return void refuse(i, 'duplicate_in_file', `the same address as line ${first}, which is the one used`);
    firstLine.set(key, row.line);
    return email;
  });

  return withTransaction(ctx.db, async (tx) => {
    const roles = await loadRoles(tx, ctx);
    const teams = await loadTeams(
      tx,
      ctx,
      rows.flatMap((r) => r.teams),
    );
    const planned: { index: number; email: string; role: string; teams: TeamRef[] }[] = [];
    for (const [i, row] of rows.entries()) {
      const email = addresses[i];
      if (email === undefined) continue;
      if (!roles.has(row.role)) {
        refuse(i, 'unknown_role', `no role "${row.role}" in this organization (roles: ${[...roles.keys()].sort().join(', ')})`);
        continue;
      }
      const refusal = roleRefusal(ctx, row.role);
      if (refusal !== undefined) {
        refuse(i, 'forbidden_role', refusal);
        continue;
      }
      const missing = row.teams.filter((name) => !teams.has(teamNameKey(name)));
      if (missing.length > 0) {
        refuse(i, 'unknown_team', `no team ${missing.map((n) => `"${n}"`).join(', ')} in this organization`);
        continue;
      }
      const refs = [...new Map(row.teams.map((name) => [teamNameKey(name), teams.get(teamNameKey(name))!])).values()];
      planned.push({ index: i, email, role: row.role, teams: refs });
    }

    // Locks the organization's row (concurrent invitations wait), then what the database tells.
    const { limit, used } = await requireSeats(tx, ctx, 0, 'importing invitations');
    const existing = await existingMembers(
      tx,
      ctx,
      planned.map((p) => emailKey(p.email)),
    );
    const free = limit === null ? Number.POSITIVE_INFINITY : Math.max(0, limit - used);
    const admitted: typeof planned = [];
    for (const p of planned) {
      const member = existing.get(emailKey(p.email));
      if (member) refuse(p.index, 'already_member', alreadyMember(member));
      else if (admitted.length >= free) refuse(p.index, 'over_seat_limit', noSeat(limit ?? 0, used, admitted.length));
      else admitted.push(p);
    }

    const written = await writeInvitations(tx, ctx, await loadInvitingOrganization(tx, ctx), admitted, {
      box: input.box,
      publicUrl: input.publicUrl,
      roleNames: roles,
      inviter: await inviterName(tx, ctx),
    });
    const invited = new Map(written.invited.map((m) => [emailKey(m.email), m]));
    for (const p of admitted) {
      const member = invited.get(emailKey(p.email));
      if (!member) {
        refuse(p.index, 'already_member', 'became a member meanwhile (a sign-in or the directory)');
        continue;
      }
      results[p.index] = { row: rows[p.index]!.line, email: rows[p.index]!.email, result: 'invited', detail: 'invitation sent', id: member.id, expiresAt: member.expiresAt };
    }
    return results.map((r, i) => {
      if (!r) throw new Error(`line ${rows[i]!.line} of the import was given no result`);
      return r;
    });
  });
}

function noSeat(limit: number, used: number, taken: number): string {
  return taken === 0
    ? `no free seat: ${used} of the organization's ${limit} seats are in use`
    : `no free seat left: ${used} of the organization's ${limit} seats were in use and the ${taken} rows above took the rest`;
}

function alreadyMember(member: { id: string; status: string }): string {
  if (member.status === 'invited') return `already invited (member ${member.id}): resend that invitation instead`;
  if (member.status === 'deactivated') return `already a member, deactivated (member ${member.id}): reactivate them instead`;
  return `already a member (member ${member.id})`;
}

/** The file's rows, or invalid_input naming what is wrong with the file as a whole. */
export function parseInvitationCsv(csv: string): CsvRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    throw new DomainError('invalid_input', `the file is not valid CSV: ${(error as Error).message}`, { details: { field: 'file' }, cause: error });
  }
  const [header, ...data] = records;
  const blank = (cells: string[]) => cells.every((c) => c.trim() === '');
  if (!header || blank(header.record)) {
    throw new DomainError('invalid_input', `the file is empty: its first line must be the header "${IMPORT_COLUMNS.join(',')}"`, { details: { field: 'file' } });
  }
  // Spreadsheets export empty cells after the last column: ignored, in the header as in rows.
  const named = header.record.slice(0, header.record.findLastIndex((c) => c.trim() !== '') + 1);
  const columns = named.map((c) => c.trim().toLowerCase());
  for (const [i, column] of columns.entries()) {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(column)) {
      throw new DomainError('invalid_input', `unknown column "${named[i]}" in the header; the columns are ${IMPORT_COLUMNS.join(', ')} (email required)`, {
        details: { field: 'file', column: named[i] },
      });
    }
    if (columns.indexOf(column) !== i) throw new DomainError('invalid_input', `the column "${column}" appears twice in the header`, { details: { field: 'file', column } });
  }
  if (!columns.includes('email')) {
    throw new DomainError('invalid_input', `the header has no "email" column; the first line must name the columns, e.g. "${IMPORT_COLUMNS.join(',')}"`, {
      details: { field: 'file' },
    });
  }
  const rows = data.filter((r) => !blank(r.record));
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new DomainError('invalid_input', `the file has ${rows.length} rows; at most ${MAX_IMPORT_ROWS} are imported at once: split it`, {
      details: { field: 'file', limit: MAX_IMPORT_ROWS },
    });
  }
  const at = (cells: string[], column: string) => (columns.includes(column) ? (cells[columns.indexOf(column)] ?? '').trim() : '');
  return rows.map(({ record, info }) => {
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    const extra = record.slice(columns.length).find((cell) => cell.trim() !== '');
    if (extra !== undefined) {
      throw new DomainError('invalid_input', `line ${line} has more cells than the header names (${columns.join(', ')}); quote values that hold commas`, {
        details: { field: 'file', line },
      });
    }
    return {
      line,
      email: at(record, 'email'),
      role: at(record, 'role').toLowerCase() || 'member',
      teams: at(record, 'teams')
        .split(';')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    };
  });
}
