/**
 * `--only=sso`: complete SP-initiated sign-ins through Roster at concurrency 8, once with a SAML
 * IdP and once with an OpenID Connect IdP, and what each costs Roster in CPU.
 *
 * A Roster of its own (ALLOW_INSECURE_IDP_URLS=true: the OIDC IdP is on loopback), an organization
 * per upstream with one connection each (with two, the interaction would ask which), and one app.
 * Both IdPs live in this process, with the load generator: the SAML IdP (samlify, RSA-2048) signs
 * each response here, and the OIDC IdP (oidc-provider) answers Roster's token requests from here;
 * their CPU is the load generator's, never Roster's.
 *
 * Each sign-in is a fresh browser walking the whole chain (bench/sso-chain.ts), with a person
 * picked at random from a pool: the first sign-in of a person creates the member just in time,
 * later ones update it. The window counts the sign-ins that complete in it; Roster's CPU and its
 * PostgreSQL backends' CPU over the window are divided by that count.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect, readCounters, counterDelta, type DbCounters, type Sql } from './database.ts';
import { Histogram } from './load.ts';
import { mulberry32, type Flags } from './measure.ts';
import { cpuSeconds, exitReason, rosterCli, startOwnRoster, stopOwnRoster, type OwnRosterRun, type Started } from './processes.ts';
import { heading, ms, rate, say, type TargetCheck } from './report.ts';
import { signIn, STEPS, StepError, type BenchPerson, type ChainTarget, type Step } from './sso-chain.ts';
import { openPostgres } from '../src/db/index.ts';
import { createSsoConnection, enterOrganization } from '../src/directory/index.ts';
import { newId } from '../src/ids.ts';
import { SecretBox } from '../src/secrets/index.ts';
import { oidcRedirectUri, prepareOidcConnection } from '../src/sso/index.ts';
import { createTestSamlIdp } from '../test/sso/saml/support/test-idp.ts';
import { APP_REDIRECT_URI } from '../test/sso/support/sign-in-chain.ts';
import { discoverApp } from '../test/support/test-app-client.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../test/support/test-oidc-idp.ts';

/** The concurrency the targets were set for: eight browsers signing in at once. */
export const SSO_CONCURRENCY = 8;
/** Distinct people per upstream. */
const PEOPLE = 2000;
/** What the SAML IdP signs: both, as Okta does by default, so Roster checks two signatures. */
const SIGNED_PARTS = 'both';

const TARGET_SERVER_MS = 12;
const TARGET_POSTGRES_MS = 5;
/** Ory Polis 26.2 on the same machine (the product issue's reference). */
const POLIS = { serverMs: 35.6, postgresMs: 9.6, perSecond: 25.8, p99Ms: 500 };

const STEP_NAMES: Record<'saml' | 'oidc', Record<Step, string>> = {
  saml: {
    authorize: 'GET /oauth2/authorize → 303 interaction',
    interaction: 'GET /sso/interaction/<uid> → 303 IdP (SAMLRequest)',
    idp: 'IdP signs the response (load generator)',
    answer: 'POST ACS (no cookies) → 303 finish',
    finish: 'GET …/finish?flow= → oidc-provider',
    'to app': "oidc-provider's redirects → the app's code",
    token: 'POST /oauth2/token + ID token check (app)',
    userinfo: 'GET /oauth2/userinfo',
  },
  oidc: {
    authorize: 'GET /oauth2/authorize → 303 interaction',
    interaction: 'GET /sso/interaction/<uid> → 303 IdP',
    idp: 'at the IdP: authorize + login (load generator)',
    answer: 'GET /sso/oidc/<id>/callback → 303 finish',
    finish: 'GET …/finish?flow= → oidc-provider',
    'to app': "oidc-provider's redirects → the app's code",
    token: 'POST /oauth2/token + ID token check (app)',
    userinfo: 'GET /oauth2/userinfo',
  },
};

export type SsoRun = OwnRosterRun;

/** Sets variables for the processes started inside `fn` (startRoster passes this process's environment on). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export const person = (kind: 'saml' | 'oidc', i: number): BenchPerson => {
  const n = String(i + 1).padStart(4, '0');
  return { subject: `${kind}-person-${n}`, email: `${kind}.person.${n}@${kind}.bench.example`, givenName: `Person${n}`, familyName: kind.toUpperCase() };
};

export async function ssoScenario(run: SsoRun): Promise<void> {
  heading(`SSO: complete SP-initiated sign-ins at concurrency ${SSO_CONCURRENCY}, SAML and OIDC upstream`);
  const setup = await setUpSso(run);
  const sql = connect(run.databaseUrl, 1);
  try {
    say(
      `people: ${PEOPLE.toLocaleString('en-US')} per upstream, picked at random (seed ${run.flags.seed}), never one person in two sign-ins at once; ` +
        'first-time and returning sign-ins are reported together, their mix beside them',
    );
    say(`${run.flags.warmupMs / 1000} s warm-up + ${run.flags.durationMs / 1000} s measured per upstream (--warmup, --duration)`);
    for (const [kind, target] of setup.targets) {
      const label = kind === 'saml' ? 'SAML' : 'OIDC';
      heading(`SSO sign-ins through ${label} (${kind === 'saml' ? `samlify IdP, ${SIGNED_PARTS} signed, RSA-2048` : 'oidc-provider IdP, RS256 ID tokens'}), concurrency ${SSO_CONCURRENCY}`);
      const result = await measureSignIns(run.flags, sql, setup.roster, target, kind);
      printResult(result, STEP_NAMES[kind]);
      pushChecks(run.checks, label, result);
    }
  } finally {
    await setup.close();
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}

export interface SsoSetup {
  roster: Started;
  targets: ['saml' | 'oidc', ChainTarget][];
  /** Stops the scenario's Roster and the OIDC IdP. */
  close(): Promise<void>;
}

/** Roster with two organizations, a SAML and an OIDC connection, an app, and both IdPs. */
export async function setUpSso(run: SsoRun): Promise<SsoSetup> {
  let oidcIdp: TestOidcIdp | undefined;
  let roster: Started | undefined;
  const close = async () => {
    if (roster) {
      await stopOwnRoster(run, roster);
      roster = undefined;
    }
    await oidcIdp?.close().catch(() => {});
    oidcIdp = undefined;
  };
  try {
    roster = await withEnv({ ALLOW_INSECURE_IDP_URLS: 'true' }, () => startOwnRoster(run, 'roster-sso.log'));
    const origin = roster.origin;
    say(`Roster ${origin} (pid ${roster.child.pid}), ALLOW_INSECURE_IDP_URLS=true; its log: ${roster.logFile}`);
    const cli = (args: string[]) => rosterCli(args, { databaseUrl: run.databaseUrl, secret: run.secret, publicUrl: origin });

    // Set-up through the CLI, as an operator would.
    await cli(['org', 'create', '--slug', 'sso-saml', '--name', 'SAML Bench Inc']);
    await cli(['org', 'create', '--slug', 'sso-oidc', '--name', 'OIDC Bench Inc']);
    const app = (await cli(['app', 'create', '--name', 'Bench', '--redirect-uri', APP_REDIRECT_URI])) as { clientId: string; clientSecret: string; issuer: string };
    const samlIdp = await createTestSamlIdp({ signedParts: SIGNED_PARTS });
    const metadataFile = path.join(run.workDir, 'saml-idp-metadata.xml');
    await writeFile(metadataFile, samlIdp.metadataXml());
    const saml = (await cli(['connection', 'create', '--org', 'sso-saml', '--type', 'saml', '--preset', 'okta', '--metadata-file', metadataFile])) as {
      id: string;
      spEntityId: string;
      acsUrl: string;
      spMetadataUrl: string;
    };
    // What the IdP's administrator takes from Roster: the entity ID and ACS URL printed, the
    // certificate (for encrypted assertions only, unused here) from the SP metadata.
    const spMetadata = await (await fetch(saml.spMetadataUrl)).text();
    const spCertificate = /<(?:ds:)?X509Certificate>([^<]+)</.exec(spMetadata)?.[1]?.replace(/\s+/g, '');
    if (!spCertificate) throw new Error(`no certificate in the SP metadata at ${saml.spMetadataUrl}`);
    const sp = {
      entityId: saml.spEntityId,
      acsUrl: saml.acsUrl,
      privateKeyPem: '',
      certificatePem: `-----BEGIN CERTIFICATE-----\n${spCertificate.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`,
    };
    say(`SAML connection ${saml.id} (org sso-saml, preset okta), IdP signs ${SIGNED_PARTS === 'both' ? 'the response and the assertion' : `the ${SIGNED_PARTS}`} with RSA-2048`);

    // The OIDC IdP must know Roster's redirect URI, which holds the connection's id, before the
    // connection exists (its discovery is read at creation). `roster connection create` cannot be
    // told an id, so this connection is made as the end-to-end test makes it: the domain verbs,
    // with an id chosen first.
    const oidcConnectionId = newId();
    const redirectUri = oidcRedirectUri(origin, oidcConnectionId);
    oidcIdp = await startTestOidcIdp({
      clients: [{ client_id: 'roster', client_secret: 'roster-secret-at-the-idp', redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' }],
      accounts: Object.fromEntries(
        Array.from({ length: PEOPLE }, (_, i) => {
          const p = person('oidc', i);
          return [p.subject, { email: p.email, email_verified: true, given_name: p.givenName, family_name: p.familyName, name: `${p.givenName} ${p.familyName}`, groups: ['Engineering'] }];
        }),
      ),
    });
    const handle = openPostgres({ url: run.databaseUrl, max: 2 });
    try {
      const box = SecretBox.fromSecrets(run.secret);
      const org = await enterOrganization({ db: handle.db, actor: { type: 'operator', id: 'bench' } }, 'sso-oidc');
      const input = await prepareOidcConnection(
        { issuer: oidcIdp.issuer, clientId: 'roster', clientSecret: 'roster-secret-at-the-idp', preset: 'okta', scopes: ['openid', 'email', 'profile', 'groups'] },
        { publicUrl: origin, allowInsecureIdpUrls: true },
      );
      await createSsoConnection(org, box, { ...input, id: oidcConnectionId, settings: { ...input.settings, redirectUri } });
    } finally {
      await handle.close();
    }
    say(`OIDC connection ${oidcConnectionId} (org sso-oidc, preset okta) to ${oidcIdp.issuer}, made with the domain verbs (the id must be known first)`);

    const appConfig = await discoverApp(app.issuer, app);
    say(`app ${app.clientId} (client_secret_basic) discovered at ${app.issuer}`);
    return {
      roster,
      targets: [
        ['saml', { roster: origin, app: appConfig, organization: 'sso-saml', upstream: { kind: 'saml', idp: samlIdp, sp } }],
        ['oidc', { roster: origin, app: appConfig, organization: 'sso-oidc', upstream: { kind: 'oidc', idp: oidcIdp, callbackPrefix: redirectUri } }],
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface BackendCpu {
  /** CPU seconds of each backend at the window's start. */
  start: Map<number, number>;
  /** The latest reading of every backend seen during the window. */
  last: Map<number, number>;
  types: Map<number, string>;
}

/** The run database's backends (this connection's own excluded) and the CPU each has used so far. */
async function readBackends(sql: Sql): Promise<{ cpu: Map<number, number>; types: Map<number, string> }> {
  const rows = await sql<{ pid: number; backend_type: string | null }[]>`
    select pid, backend_type from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  const cpu = new Map<number, number>();
  const types = new Map<number, string>();
  for (const { pid, backend_type } of rows) {
    const seconds = cpuSeconds(pid);
    if (seconds === undefined) continue;
    cpu.set(pid, seconds);
    types.set(pid, backend_type ?? '?');
  }
  return { cpu, types };
}

export interface SignInResult {
  kind: 'saml' | 'oidc';
  windowMs: number;
  completed: number;
  firstTime: number;
  returning: number;
  /** Failed sign-ins, warm-up included. */
  errors: number;
  errorSamples: string[];
  consentRounds: number;
  hopsToApp: number;
  steps: Record<Step, Histogram>;
  total: Histogram;
  firstTimeTotal: Histogram;
  returningTotal: Histogram;
  db: DbCounters;
  cpu: { server: number | undefined; postgres: number; generator: number; backends: number; appeared: number; vanished: number; kinds: string[] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Warm-up, then the measured window, with eight browsers signing people in back to back. */
async function measureSignIns(flags: Flags, sql: Sql, roster: Started, target: ChainTarget, kind: 'saml' | 'oidc'): Promise<SignInResult> {
  const random = mulberry32(flags.seed + (kind === 'saml' ? 0 : 1));
  const people = Array.from({ length: PEOPLE }, (_, i) => person(kind, i));
  const busy = new Set<number>();
  const signedInBefore = new Set<number>();
  const steps = Object.fromEntries(STEPS.map((s) => [s, new Histogram()])) as Record<Step, Histogram>;
  const total = new Histogram();
  const firstTimeTotal = new Histogram();
  const returningTotal = new Histogram();
  let phase: 'warm-up' | 'window' | 'done' = 'warm-up';
  let completed = 0;
  let firstTime = 0;
  let returning = 0;
  let errors = 0;
  let consentRounds = 0;
  let hopsToApp = 0;
  const errorSamples: string[] = [];

  const pickPerson = () => {
    for (;;) {
      const i = Math.floor(random() * PEOPLE);
      if (!busy.has(i)) return i;
    }
  };
  const browser = async () => {
    while (phase !== 'done') {
      const i = pickPerson();
      busy.add(i);
      const first = !signedInBefore.has(i);
      try {
        const timing = await signIn(target, people[i]!);
        signedInBefore.add(i);
        if (phase !== 'window') continue;
        completed += 1;
        if (first) {
          firstTime += 1;
          firstTimeTotal.record(timing.total);
        } else {
          returning += 1;
          returningTotal.record(timing.total);
        }
        total.record(timing.total);
        for (const step of STEPS) steps[step].record(timing.steps[step]);
        if (timing.consentRound) consentRounds += 1;
        hopsToApp += timing.hopsToApp;
      } catch (error) {
        errors += 1;
        const message = error instanceof StepError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
        if (errorSamples.length < 5) errorSamples.push(message);
        // A broken chain fails at once on every try; a pause keeps the log readable.
        await sleep(50);
      } finally {
        busy.delete(i);
      }
    }
  };

  const browsers = Array.from({ length: SSO_CONCURRENCY }, () => browser());
  let windowMs = 0;
  let cpu: SignInResult['cpu'];
  let db: DbCounters;
  try {
    await sleep(flags.warmupMs);
    const pid = roster.child.pid!;
    const backendsAtStart = await readBackends(sql);
    const countersAtStart = await readCounters(sql, 0);
    const backends: BackendCpu = { start: backendsAtStart.cpu, last: new Map(backendsAtStart.cpu), types: backendsAtStart.types };
    const generatorAtStart = process.cpuUsage();
    const serverAtStart = cpuSeconds(pid);
    const windowStart = performance.now();
    phase = 'window';

    // Backends polled every second: one that closes mid-window still counts up to its last reading.
    let polling: Promise<void> = Promise.resolve();
    const poll = () => {
      polling = readBackends(sql).then(({ cpu: now, types }) => {
        for (const [p, seconds] of now) backends.last.set(p, seconds);
        for (const [p, type] of types) backends.types.set(p, type);
      }, () => {});
    };
    const timer = setInterval(() => void polling.then(poll), 1000);
    await sleep(flags.durationMs);
    phase = 'done';
    windowMs = performance.now() - windowStart;
    const serverAtEnd = cpuSeconds(pid);
    const generatorUsage = process.cpuUsage(generatorAtStart);
    clearInterval(timer);
    await polling;
    const backendsAtEnd = await readBackends(sql);
    const countersAtEnd = await readCounters(sql, 0);
    for (const [p, seconds] of backendsAtEnd.cpu) backends.last.set(p, seconds);
    for (const [p, type] of backendsAtEnd.types) backends.types.set(p, type);

    let postgres = 0;
    for (const [p, seconds] of backends.last) postgres += seconds - (backends.start.get(p) ?? 0);
    const appeared = [...backends.last.keys()].filter((p) => !backends.start.has(p)).length;
    const vanished = [...backends.last.keys()].filter((p) => !backendsAtEnd.cpu.has(p)).length;
    const kinds = [...new Set(backends.types.values())];
    cpu = {
      server: serverAtStart === undefined || serverAtEnd === undefined ? undefined : serverAtEnd - serverAtStart,
      postgres,
      generator: (generatorUsage.user + generatorUsage.system) / 1e6,
      backends: backends.last.size,
      appeared,
      vanished,
      kinds,
    };
    db = counterDelta(countersAtStart, countersAtEnd);
  } finally {
    phase = 'done';
    await Promise.all(browsers);
  }
  const gone = exitReason(roster.child);
  if (gone !== undefined) throw new Error(`Roster (pid ${roster.child.pid}) ${gone} during the ${kind} sign-ins; see ${roster.logFile}`);
  return { kind, windowMs, completed, firstTime, returning, errors, errorSamples, consentRounds, hopsToApp, steps, total, firstTimeTotal, returningTotal, db, cpu };
}

const perSignIn = (r: SignInResult, seconds: number | undefined) => (seconds === undefined || r.completed === 0 ? undefined : (seconds * 1000) / r.completed);
const fmt = (value: number | undefined) => (value === undefined ? '?' : ms(value));

function printResult(r: SignInResult, names: Record<Step, string>): void {
  const width = 62;
  say(`${'step'.padEnd(width)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  for (const step of STEPS) {
    const s = r.steps[step].summary();
    say(`${`${step.padEnd(12)}${names[step]}`.padEnd(width)} ${ms(s.p50).padStart(8)} ${ms(s.p99).padStart(8)}`);
  }
  const whole = r.total.summary();
  say(`${'whole sign-in'.padEnd(width)} ${ms(whole.p50).padStart(8)} ${ms(whole.p99).padStart(8)}`);
  const first = r.firstTimeTotal.summary();
  const again = r.returningTotal.summary();
  say(`${'  of which first-time (member created)'.padEnd(width)} ${ms(first.p50).padStart(8)} ${ms(first.p99).padStart(8)}   n=${r.firstTime}`);
  say(`${'  of which returning (member updated)'.padEnd(width)} ${ms(again.p50).padStart(8)} ${ms(again.p99).padStart(8)}   n=${r.returning}`);
  const seconds = r.windowMs / 1000;
  const share = r.completed === 0 ? 0 : Math.round((r.firstTime / r.completed) * 100);
  say(
    `  → ${rate(r.completed / seconds)} sign-ins/s: ${r.completed} completed in ${seconds.toFixed(1)} s (${share} % first-time, ${100 - share} % returning)` +
      `${r.errors ? `   ERRORS ${r.errors}` : ', no errors'}; ${r.completed === 0 ? '' : `${(r.hopsToApp / r.completed).toFixed(1)} redirects from the finish to the app, `}consent round in ${r.consentRounds} of ${r.completed}`,
  );
  const n = Math.max(1, r.completed);
  const per = (v: number) => (v / n).toFixed(1);
  say(`  db/sign-in: commits ${per(r.db.commits)}, ins ${per(r.db.inserted)}, upd ${per(r.db.updated)}, del ${per(r.db.deleted)}, fetched ${per(r.db.fetched)}`);
  const busy = (s: number | undefined) => (s === undefined ? '' : ` (${((s / seconds) * 100).toFixed(0)} % of a core)`);
  say(
    `  cpu/sign-in: Roster ${fmt(perSignIn(r, r.cpu.server))} ms${busy(r.cpu.server)}, PostgreSQL ${fmt(perSignIn(r, r.cpu.postgres))} ms${busy(r.cpu.postgres)}, ` +
      `load generator with the IdP ${fmt(perSignIn(r, r.cpu.generator))} ms${busy(r.cpu.generator)}`,
  );
  say(
    `  PostgreSQL: ${r.cpu.backends} backends (${r.cpu.kinds.join(', ')}); ${r.cpu.appeared} appeared during the window (counted in full), ` +
      `${r.cpu.vanished} vanished (counted to their last reading, at most 1 s before)`,
  );
  for (const sample of r.errorSamples) say(`      error: ${sample}`);
}

function pushChecks(checks: TargetCheck[], label: string, r: SignInResult): void {
  const server = perSignIn(r, r.cpu.server);
  const postgres = perSignIn(r, r.cpu.postgres);
  const whole = r.total.summary();
  const errors = r.errors ? `, ${r.errors} failed sign-ins` : '';
  checks.push({
    name: `SSO ${label} sign-in: Roster CPU`,
    target: `≤ ${TARGET_SERVER_MS} ms per sign-in`,
    measured: `${fmt(server)} ms${errors} (Ory Polis 26.2: ${POLIS.serverMs} ms)`,
    pass: server === undefined ? undefined : server <= TARGET_SERVER_MS && r.errors === 0,
  });
  checks.push({
    name: `SSO ${label} sign-in: PostgreSQL CPU`,
    target: `≤ ${TARGET_POSTGRES_MS} ms per sign-in`,
    measured: `${fmt(postgres)} ms${errors} (Ory Polis 26.2: ${POLIS.postgresMs} ms)`,
    pass: postgres === undefined ? undefined : postgres <= TARGET_POSTGRES_MS && r.errors === 0,
  });
  checks.push({
    name: `SSO ${label} sign-ins/s, c=${SSO_CONCURRENCY}`,
    target: 'reported, not targeted',
    measured: `${rate(r.completed / (r.windowMs / 1000))}/s, p50 ${ms(whole.p50)} ms, p99 ${ms(whole.p99)} ms (Ory Polis 26.2: ${POLIS.perSecond}/s, p99 ${POLIS.p99Ms} ms)`,
    pass: undefined,
  });
}
