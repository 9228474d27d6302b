/**
 * `--floor`: Roster against the floor of the work every SCIM request must do (baseline-floor.ts:
 * the bare statement plus a bearer-token check, a counted request and a request-log row), for the
 * reads and the write the targets compare with the bare baseline. Informational: it prints
 * Roster ÷ floor beside the targets' Roster ÷ baseline, and sets no target of its own.
 */
import type { HttpRequest } from './load.ts';
import { exactlyOne, measureAlternating, pick, type BenchContext, type Side } from './measure.ts';
import { heading, printComparison, say } from './report.ts';
import { baselineInsert, rosterCreateSide, rosterGetSide, rosterLookupSide } from './scenarios.ts';

function floorSide(ctx: BenchContext, label: string, request: (i: number) => HttpRequest, check?: Side['options']['check']): Side {
  const auth = { Authorization: `Bearer ${ctx.baseline.floorToken}` };
  return {
    label,
    server: ctx.baselineServer,
    options: {
      request: (i) => {
        const r = request(i);
        return { ...r, headers: { ...r.headers, ...auth } };
      },
      ...(check ? { check } : {}),
    },
  };
}

export async function floorScenario(ctx: BenchContext): Promise<void> {
  heading('Floor: the bare statement plus a token check, a counted request and a log row (informational)');
  const lookup = floorSide(
    ctx,
    'floor GET /floor/by-name (token, count, log row)',
    () => ({ method: 'GET', path: `/floor/by-name?userName=${encodeURIComponent(pick(ctx, ctx.baseline.userNames))}`, expect: [200] }),
    exactlyOne,
  );
  const [lookupFloor, lookupRoster] = await measureAlternating(ctx, lookup, rosterLookupSide(ctx));
  printComparison(lookupRoster, lookupFloor, 'floor');

  const get = floorSide(ctx, 'floor GET /floor/pk/:id (token, count, log row)', () => ({
    method: 'GET',
    path: `/floor/pk/${pick(ctx, ctx.baseline.ids)}`,
    expect: [200],
  }));
  const [getFloor, getRoster] = await measureAlternating(ctx, get, rosterGetSide(ctx));
  printComparison(getRoster, getFloor, 'floor');

  // The baseline's insert with its fresh userNames, sent to the floor's route.
  const plainInsert = baselineInsert(ctx).options.request;
  const insert = floorSide(ctx, 'floor POST /floor/insert (token, count, log row)', (i) => ({
    ...plainInsert(i),
    method: 'POST',
    path: '/floor/insert',
    expect: [201],
  }));
  const [insertFloor, createRoster] = await measureAlternating(ctx, insert, rosterCreateSide(ctx));
  printComparison(createRoster, insertFloor, 'floor');

  // Every floor request answered, warm-ups included (load.sent less the failed), must have its log
  // row once the last batch (at most 250 ms old) is written.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const answered = [lookupFloor, getFloor, insertFloor].reduce((total, m) => total + m.load.sent - m.load.errors, 0);
  const [row] = await ctx.sql<{ n: string }[]>`select count(*)::text as n from baseline_request_log`;
  const logged = Number(row?.n ?? 0);
  say(
    `  floor request log: ${logged.toLocaleString('en-US')} rows for ${answered.toLocaleString('en-US')} requests answered, warm-ups included` +
      (logged < answered ? ' — ROWS MISSING' : ''),
  );
}
