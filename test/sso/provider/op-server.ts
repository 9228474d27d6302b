/**
 * Roster's OpenID Provider on a real socket (127.0.0.1, port 0; the address is the issuer), with a
 * TEST-ONLY interaction route: it signs in whichever member the test chose, with no upstream IdP.
 * The real interaction (upstream SAML/OIDC sign-in → member) is tested end to end elsewhere; here
 * only the provider's side of the flow is under test.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { Database } from '../../../src/db/index.ts';
import { SecretBox } from '../../../src/secrets/index.ts';
import { createRosterProvider, providerRoutes, type AccountClaims, type RosterProvider } from '../../../src/sso/provider/index.ts';

export const testBox = SecretBox.fromSecrets('provider-test-secret-provider-test-secret-0123');
export const COOKIE_SECRET = 'cookie-secret-cookie-secret-cookie-secret-0123';

export interface TestOp {
  issuer: string;
  /** Where this server listens (the issuer's address, except for a second instance). */
  url: string;
  rp: RosterProvider;
  /** Who the next interaction signs in (a member id), and with which method. */
  login: { accountId: string; amr: string[] };
  close(): Promise<void>;
}

export function memberClaims(sub: string, overrides: Partial<AccountClaims> = {}): AccountClaims {
  return {
    sub,
    email: `${sub}@example.com`,
    email_verified: true,
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    org: { id: '0190d3a0-0000-7000-8000-000000000001', slug: 'acme' },
    role: 'admin',
    permissions: ['members.manage', 'roles.assign', 'teams.manage', 'sso.manage', 'audit.view', 'profile.edit'],
    teams: ['engineering'],
    team_roles: { engineering: 'admin' },
    groups: ['Engineers', 'Everyone'],
    idp: { connection: 'okta-main', type: 'saml' },
    ...overrides,
  };
}

export async function startTestOp(
  db: Database,
  options: { accounts: Map<string, AccountClaims>; issuer?: string; now?: () => Date },
): Promise<TestOp> {
  // The issuer is the server's address, known once it listens: the routes are put in after.
  const slot: { app?: Hono<{ Bindings: HttpBindings }> } = {};
  const server = createAdaptorServer({ fetch: (request, env) => (slot.app ? slot.app.fetch(request, env) : new Response('starting', { status: 503 })) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = options.issuer ?? url;

  const rp = await createRosterProvider({
    db,
    box: testBox,
    issuer,
    findAccountClaims: async (memberId) => options.accounts.get(memberId),
    interactionPath: (uid) => `/sso/interaction/${uid}`,
    cookieSecret: COOKIE_SECRET,
    logger: { info: () => {}, warn: () => {}, error: (details, message) => console.error(message, details) },
    secureCookies: false,
    ...(options.now ? { now: options.now } : {}),
  });
  const op: TestOp = {
    issuer,
    url,
    rp,
    login: { accountId: '', amr: ['saml'] },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };

  const routes = new Hono<{ Bindings: HttpBindings }>();
  routes.route('/', providerRoutes(rp));
  routes.get('/sso/interaction/:uid', async (c) => {
    await rp.provider.interactionFinished(
      c.env.incoming,
      c.env.outgoing,
      { login: { accountId: op.login.accountId, amr: op.login.amr } },
      { mergeWithLastSubmission: false },
    );
    return RESPONSE_ALREADY_SENT;
  });
  slot.app = routes;
  return op;
}

/** A second server over the same database: another instance of Roster behind the same issuer. */
export async function startSecondInstance(db: Database, first: TestOp, accounts: Map<string, AccountClaims>, now?: () => Date): Promise<TestOp> {
  return startTestOp(db, { accounts, issuer: first.issuer, ...(now ? { now } : {}) });
}
