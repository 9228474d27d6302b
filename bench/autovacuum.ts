/**
 * Autovacuum during a run. Roster relies on PostgreSQL's autovacuum, as every deployment has it:
 * tables that churn (the count deltas, the request log, users under PATCH) shed their dead rows
 * only through it, so a server with it off measures a state no deployment is in. Some servers run
 * with `autovacuum = off` as a machine setting (the project's test machines do); there the run
 * turns it on, server-wide, and puts the setting back when it ends, whether it succeeded, failed
 * or was interrupted. Only the bench does this; Roster never touches the setting.
 */
import { connect } from './database.ts';

export interface AutovacuumForRun {
  /** One line for the report: what the run found and did. */
  readonly note: string;
  /** Puts back what the run changed (nothing if it changed nothing); safe to call twice. */
  restore(): Promise<string | undefined>;
}

const RELOAD_WAIT_MS = 5_000;

async function autovacuumSetting(adminUrl: string): Promise<{ value: string; fromAlterSystem: boolean }> {
  const sql = connect(adminUrl, 1);
  try {
    const [shown] = await sql<{ autovacuum: string }[]>`show autovacuum`;
    // Whether an earlier ALTER SYSTEM (postgresql.auto.conf) set it: then RESET would not restore it.
    const [setting] = await sql<{ sourcefile: string | null }[]>`select sourcefile from pg_settings where name = 'autovacuum'`;
    return { value: shown?.autovacuum ?? '?', fromAlterSystem: setting?.sourcefile?.endsWith('postgresql.auto.conf') ?? false };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Applies an ALTER SYSTEM statement, reloads the configuration and waits until `show` says `expected`. */
async function alterSystem(adminUrl: string, statement: string, expected: string): Promise<void> {
  const sql = connect(adminUrl, 1);
  try {
    await sql.unsafe(statement);
    await sql`select pg_reload_conf()`;
    // A backend reads the reloaded configuration between statements, soon after the signal.
    const deadline = Date.now() + RELOAD_WAIT_MS;
    for (;;) {
      const [row] = await sql<{ autovacuum: string }[]>`show autovacuum`;
      if (row?.autovacuum === expected) return;
      if (Date.now() > deadline) throw new Error(`autovacuum still ${row?.autovacuum ?? '?'} ${RELOAD_WAIT_MS / 1000} s after the reload`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Turns autovacuum on for the run when the server has it off. Needs the right to ALTER SYSTEM
 * (a superuser, or a role granted it); without it the run goes on and its note says autovacuum is off.
 */
export async function autovacuumForRun(adminUrl: string): Promise<AutovacuumForRun> {
  const before = await autovacuumSetting(adminUrl);
  if (before.value === 'on') {
    // Possibly turned on by another run on the same server, which may put it back before this
    // run ends: then say so, since the later figures were measured without it.
    return {
      note: 'autovacuum on (as the server has it now)',
      async restore() {
        const after = await autovacuumSetting(adminUrl).catch(() => undefined);
        return after !== undefined && after.value !== 'on'
          ? `autovacuum was turned ${after.value} during this run (by another run ending, or by hand): later figures are without it`
          : undefined;
      },
    };
  }
  try {
    await alterSystem(adminUrl, 'alter system set autovacuum = on', 'on');
  } catch (error) {
    return {
      note: `autovacuum is OFF on this server and could not be turned on (${(error as Error).message}): figures do not show a deployment, which has it on`,
      restore: () => Promise.resolve(undefined),
    };
  }
  let restored: Promise<string> | undefined;
  return {
    note: 'autovacuum: off on this server; turned on for this run (ALTER SYSTEM SET autovacuum = on), restored at its end',
    restore() {
      restored ??= (async () => {
        const during = await autovacuumSetting(adminUrl).catch(() => undefined);
        const changed = during !== undefined && during.value !== 'on' ? `; it was ${during.value} by the end, changed during the run by hand` : '';
        const statement = before.fromAlterSystem ? `alter system set autovacuum = ${before.value}` : 'alter system reset autovacuum';
        await alterSystem(adminUrl, statement, before.value);
        return `autovacuum restored to ${before.value} (${statement.toUpperCase()})${changed}`;
      })();
      return restored;
    },
  };
}
