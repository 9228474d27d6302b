/**
 * One SP-initiated sign-in through Roster, walked step by step as a browser and an app would, each
 * step timed: the app's authorization request, Roster's interaction, the IdP, Roster's answer
 * endpoint (the SAML ACS or the OIDC callback), the interaction's finish, oidc-provider's redirects
 * back to the app, the code exchange (openid-client checks the ID token) and userinfo.
 *
 * The pieces are the tests' own (test/sso, test/support): the same app client, cookie jar, SAML
 * IdP and OIDC IdP the end-to-end tests use, so the benchmark walks the chain those tests check.
 * A cookie jar per sign-in (a fresh browser); fetch with `redirect: 'manual'`; the IdP's POST to
 * the ACS carries no cookie, as a browser's cross-site POST to a SameSite=Lax site does not.
 */
import * as oidc from 'openid-client';
import type { SamlSpSettings } from '../src/sso/saml/index.ts';
import type { TestSamlIdp } from '../test/sso/saml/support/test-idp.ts';
import { APP_REDIRECT_URI, postToAcs, readAuthnRequest } from '../test/sso/support/sign-in-chain.ts';
import { authorizationRequest, CookieJar } from '../test/support/test-app-client.ts';
import type { TestOidcIdp } from '../test/support/test-oidc-idp.ts';

/** The steps of a sign-in, in order; `answer` is the ACS (SAML) or the callback (OIDC). */
export const STEPS = ['authorize', 'interaction', 'idp', 'answer', 'finish', 'to app', 'token', 'userinfo'] as const;
export type Step = (typeof STEPS)[number];

export interface SignInTiming {
  /** Milliseconds per step. */
  steps: Record<Step, number>;
  total: number;
  /** Redirects followed from the finish to the app's redirect URI. */
  hopsToApp: number;
  /** Whether oidc-provider sent the browser through /sso/interaction/<uid> again for consent. */
  consentRound: boolean;
}

export interface BenchPerson {
  /** The IdP's subject: the NameID (SAML) or the account id (OIDC). */
  subject: string;
  email: string;
  givenName: string;
  familyName: string;
}

export type Upstream =
  | { kind: 'saml'; idp: TestSamlIdp; sp: SamlSpSettings }
  | { kind: 'oidc'; idp: TestOidcIdp; callbackPrefix: string };

export interface ChainTarget {
  roster: string;
  app: oidc.Configuration;
  organization: string;
  upstream: Upstream;
}

const TIMEOUT_MS = 30_000;

/** A step's refusal, with what came back: a broken chain must say where it broke. */
export class StepError extends Error {
  constructor(
    readonly step: Step,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

async function describe(response: Response): Promise<string> {
  const body = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
  return `${response.status} ${response.headers.get('location') ?? ''} ${body}`.trim();
}

/** One GET as the browser makes it: its cookies sent, new ones kept, the redirect not followed. */
async function get(url: URL, jar: CookieJar): Promise<Response> {
  const cookie = jar.header();
  const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
  jar.store(response);
  return response;
}

/** The redirect a step must answer with, the body drained so that the connection is reused. */
async function redirect(step: Step, response: Response, from: URL, statuses: readonly number[] = [302, 303]): Promise<URL> {
  const location = response.headers.get('location');
  if (!statuses.includes(response.status) || location === null) throw new StepError(step, `expected a redirect, got ${await describe(response)}`);
  await response.body?.cancel();
  return new URL(location, from);
}

/** Runs one whole sign-in of `person`, and checks that the app got an ID token and userinfo for them. */
export async function signIn(target: ChainTarget, person: BenchPerson): Promise<SignInTiming> {
  const steps = {} as Record<Step, number>;
  const started = performance.now();
  let mark = started;
  const lap = (step: Step) => {
    const now = performance.now();
    steps[step] = now - mark;
    mark = now;
  };
  const jar = new CookieJar();
  const { upstream } = target;

  // The app sends the browser to Roster's OpenID Provider (PKCE S256, state, nonce).
  const request = await authorizationRequest(target.app, { redirectUri: APP_REDIRECT_URI, params: { organization: target.organization } });
  mark = performance.now();
  const interaction = await redirect('authorize', await get(request.url, jar), request.url);
  if (!interaction.pathname.startsWith('/sso/interaction/')) throw new StepError('authorize', `redirected to ${interaction.href}, not to the interaction`);
  lap('authorize');

  // The interaction starts the organization's connection: a 303 to the IdP.
  const toIdp = await redirect('interaction', await get(interaction, jar), interaction, [303]);
  lap('interaction');

  // The IdP: signs a response (SAML, in this process) or signs the person in and redirects back (OIDC).
  let answer: Response;
  let answerUrl: URL;
  if (upstream.kind === 'saml') {
    if (!toIdp.href.startsWith(upstream.idp.ssoUrl)) throw new StepError('interaction', `redirected to ${toIdp.href}, not to the IdP`);
    const authn = readAuthnRequest(toIdp);
    const samlResponse = await upstream.idp.respond({
      sp: upstream.sp,
      inResponseTo: authn.id,
      nameId: person.subject,
      attributes: { email: person.email, firstName: person.givenName, lastName: person.familyName, groups: ['Engineering'] },
    });
    lap('idp');
    answerUrl = new URL(upstream.sp.acsUrl);
    answer = await postToAcs(upstream.sp.acsUrl, samlResponse, authn.relayState);
  } else {
    if (toIdp.origin !== new URL(upstream.idp.url).origin) throw new StepError('interaction', `redirected to ${toIdp.href}, not to the IdP`);
    answerUrl = await upstream.idp.authorize(toIdp, person.subject);
    if (!answerUrl.href.startsWith(upstream.callbackPrefix)) throw new StepError('idp', `the IdP sent the browser to ${answerUrl.href}`);
    lap('idp');
    answer = await get(answerUrl, jar);
  }
  jar.store(answer);
  const finish = await redirect('answer', answer, answerUrl, [303]);
  if (!/^\/sso\/interaction\/[^/]+\/finish$/.test(finish.pathname)) throw new StepError('answer', `redirected to ${finish.href}, not to the finish`);
  lap('answer');

  // The finish hands the member to oidc-provider, which resumes the authorization.
  let next = await redirect('finish', await get(finish, jar), finish);
  lap('finish');

  // oidc-provider's redirects, possibly a consent round through the interaction, to the app.
  let hopsToApp = 0;
  let consentRound = false;
  while (!next.href.startsWith(APP_REDIRECT_URI)) {
    if (++hopsToApp > 10) throw new StepError('to app', `more than 10 redirects after the finish (at ${next.href})`);
    if (next.pathname.startsWith('/sso/interaction/')) consentRound = true;
    next = await redirect('to app', await get(next, jar), next);
  }
  lap('to app');

  // The app: the code exchanged (client_secret_basic), the ID token checked by openid-client.
  const tokens = await oidc
    .authorizationCodeGrant(target.app, next, { ...request.checks, idTokenExpected: true })
    .catch((error: Error) => Promise.reject(new StepError('token', error.message)));
  lap('token');
  const claims = tokens.claims();
  if (!claims || claims.email !== person.email) throw new StepError('token', `the ID token names ${String(claims?.email)}, not ${person.email}`);
  const userinfo = await oidc
    .fetchUserInfo(target.app, tokens.access_token, claims.sub)
    .catch((error: Error) => Promise.reject(new StepError('userinfo', error.message)));
  lap('userinfo');
  if (userinfo.email !== person.email) throw new StepError('userinfo', `userinfo names ${String(userinfo.email)}, not ${person.email}`);

  return { steps, total: mark - started, hopsToApp, consentRound };
}
