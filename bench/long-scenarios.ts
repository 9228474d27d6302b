/**
 * The long scenarios, run on request: deep pages of a directory of a million users (--scale) and
 * an Okta-like mix held for minutes (--soak).
 */
import type { HttpRequest, LoadSample } from './load.ts';
import { json, measure, oktaFilter, pick, type BenchContext } from './measure.ts';
import { rssMiB } from './processes.ts';
import { heading, ms, rate, say } from './report.ts';
import { getUserRequest, identity, idpHeaders, oktaPutBody, oktaUserBody, PATCH_URN, type DirectoryTarget } from './seed.ts';

/** Deep pages of a directory of `total` users; every page must report the exact total. */
export async function scaleListScenario(ctx: BenchContext, dir: DirectoryTarget, total: number): Promise<void> {
  heading(`List deep pages of ${total.toLocaleString('en-US')} users (count=100, concurrency ${ctx.flags.scaleConcurrency})`);
  let wrongTotals = 0;
  const m = await measure(ctx, 'roster GET /Users?startIndex=<random>&count=100', ctx.roster, {
    concurrency: ctx.flags.scaleConcurrency,
    request: () => ({
      method: 'GET',
      path: `${dir.base}/Users?startIndex=${1 + Math.floor(ctx.random() * (total - 100))}&count=100`,
      headers: idpHeaders('okta', dir.token, false),
      expect: [200],
    }),
    check: (_i, res) => {
      const body = json(res);
      const resources = body.Resources as unknown[] | undefined;
      if (body.totalResults !== total || resources?.length !== 100 || body.itemsPerPage !== 100) {
        wrongTotals += 1;
        return `totalResults ${String(body.totalResults)}, itemsPerPage ${String(body.itemsPerPage)}, ${resources?.length} resources`;
      }
      return undefined;
    },
  });
  ctx.checks.push({
    name: `list deep pages of ${total.toLocaleString('en-US')} users`,
    target: 'p99 ≤ 100 ms, exact totalResults',
    measured: `p99 ${ms(m.load.latency.p99)} ms, p50 ${ms(m.load.latency.p50)} ms, ${rate(m.load.rps)} req/s, ${wrongTotals === 0 && m.load.errors === 0 ? 'totals exact' : `${wrongTotals} wrong totals, ${m.load.errors} errors`}`,
    pass: m.load.latency.p99 <= 100 && wrongTotals === 0 && m.load.errors === 0,
  });
}

/** Okta's steady state: lookups, reads, creates, full PUTs, PATCHes and import pages, for minutes. */
export async function soakScenario(ctx: BenchContext, minutes: number): Promise<void> {
  heading(`Soak: Okta-like mix for ${minutes} min at concurrency ${ctx.flags.concurrency}`);
  say('  mix: lookup 40%, get 25%, create 10%, PUT 10%, PATCH 10%, list 5%');
  const okta = ctx.okta;
  const tag = ctx.freshTag();
  const mix: [number, string, (i: number) => HttpRequest][] = [
    [0.4, 'lookup', () => {
      const u = pick(ctx, okta.users);
      return {
        method: 'GET',
        path: `${okta.base}/Users?filter=${oktaFilter(`userName eq "${u.userName}"`)}&startIndex=1&count=100`,
        headers: idpHeaders('okta', okta.token, false),
        expect: [200],
      };
    }],
    [0.25, 'get', () => getUserRequest(okta, pick(ctx, okta.users).id)],
    [0.1, 'create', (i) => ({
      method: 'POST',
      path: `${okta.base}/Users`,
      headers: idpHeaders('okta', okta.token, true),
      body: JSON.stringify(oktaUserBody(identity(tag, i))),
      expect: [201],
    })],
    [0.1, 'PUT', (i) => {
      const u = pick(ctx, okta.users);
      return {
        method: 'PUT',
        path: `${okta.base}/Users/${u.id}`,
        headers: idpHeaders('okta', okta.token, true),
        body: JSON.stringify(oktaPutBody(u.id, identity('s', u.index), i)),
        expect: [200],
      };
    }],
    [0.1, 'PATCH', (i) => ({
      method: 'PATCH',
      path: `${okta.base}/Users/${pick(ctx, okta.users).id}`,
      headers: idpHeaders('okta', okta.token, true),
      body: JSON.stringify({ schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: i % 2 === 0 } }] }),
      expect: [200],
    })],
    [0.05, 'list', () => ({
      method: 'GET',
      path: `${okta.base}/Users?startIndex=${1 + Math.floor(ctx.random() * okta.users.length)}&count=100`,
      headers: idpHeaders('okta', okta.token, false),
      expect: [200],
    })],
  ];
  // RSS rises and falls by tens of MiB with each garbage collection, so one reading per minute says
  // more about where the collector happened to be than about growth. Readings every 2 s give each
  // minute a floor (what survives collection: a leak lifts it) and a peak.
  const samples: (LoadSample & { rss: RssRange | undefined })[] = [];
  const rssAtStart = rssMiB(ctx.roster.pid);
  say(`  Roster RSS before: ${rssAtStart?.toFixed(0) ?? '?'} MiB`);
  let minuteRss: number[] = [];
  const rssTimer = setInterval(() => {
    const rss = rssMiB(ctx.roster.pid);
    if (rss !== undefined) minuteRss.push(rss);
  }, 2_000).unref();
  const m = await measure(ctx, `roster mix (${minutes} min)`, ctx.roster, {
    durationMs: minutes * 60_000,
    sampleEveryMs: 60_000,
    onSample: (sample) => {
      const rss = minuteRss.length === 0 ? undefined : { floor: Math.min(...minuteRss), peak: Math.max(...minuteRss) };
      minuteRss = [];
      samples.push({ ...sample, rss });
      say(
        `  minute ${String(samples.length).padStart(3)}: ${rate((sample.requests * 1000) / sample.intervalMs).padStart(7)} req/s   p50 ${ms(sample.latency.p50).padStart(6)} ms   p99 ${ms(sample.latency.p99).padStart(6)} ms   errors ${sample.errors}   RSS ${rss ? `${rss.floor.toFixed(0)}-${rss.peak.toFixed(0)}` : '?'} MiB`,
      );
      // Which kind of request slowed down, if the mix did: each kind's mean latency this minute.
      say(`      mean ms: ${mix.map(([, kind]) => `${kind} ${ms(sample.byKind[kind]?.mean ?? 0)}`).join(', ')}`);
    },
    request: (i) => {
      let x = ctx.random();
      for (const [weight, kind, make] of mix) {
        if (x < weight) return { ...make(i), kind };
        x -= weight;
      }
      return { ...mix[0]![2](i), kind: mix[0]![1] };
    },
  });
  clearInterval(rssTimer);
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) {
    say('  no complete minute was sampled');
    return;
  }
  const rpsOf = (s: LoadSample) => (s.requests * 1000) / s.intervalMs;
  const throughput = rpsOf(last) / rpsOf(first);
  ctx.checks.push({
    name: 'soak throughput',
    target: 'last minute ≥ 90% of the first',
    measured: `${(throughput * 100).toFixed(0)}% (${rate(rpsOf(first))} → ${rate(rpsOf(last))} req/s)${m.load.errors ? `, ${m.load.errors} errors` : ''}`,
    pass: throughput >= 0.9 && m.load.errors === 0,
  });
  // Minute 1 is warm-up: its floor is read while the heap is still growing to its working size
  // (compiled code, connection and statement caches, the collector's own sizing), so a run long
  // enough to have one measures growth from minute 2.
  const reference = samples.length >= 3 ? samples[1]! : first;
  const since = reference === first ? 'minute 1' : 'minute 2 (minute 1 warms up)';
  if (reference.rss !== undefined && last.rss !== undefined) {
    const growth = last.rss.floor / reference.rss.floor - 1;
    ctx.checks.push({
      name: 'soak memory',
      target: `flat: RSS floor grows ≤ 10% after ${since}`,
      measured: `floor ${reference.rss.floor.toFixed(0)} → ${last.rss.floor.toFixed(0)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%), peak ${reference.rss.peak.toFixed(0)} → ${last.rss.peak.toFixed(0)} MiB`,
      pass: growth <= 0.1,
    });
  }
}

/** The lowest and highest resident memory read during one minute, in MiB. */
interface RssRange {
  floor: number;
  peak: number;
}
