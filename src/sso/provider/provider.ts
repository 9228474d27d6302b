/**
 * Roster's OpenID Provider towards the app, built on oidc-provider. All of its state (sessions,
 * interactions, grants, codes, tokens, clients, signing keys) lives in PostgreSQL, so any instance
 * answers any step of a flow, and a fresh Provider can replace the running one at any moment:
 * that is how a key rotation reaches every instance (oidc-provider's keys are fixed per instance).
 *
 * The sign-in itself (the "interaction") is upstream SSO, served outside /oauth2 by other code,
 * which ends it with `provider.interactionFinished(req, res, { login: { accountId, amr } })`.
 */
import { hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../../db/index.ts';
import type { MemberTokenClaims } from '../../directory/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { APP_SCOPES, createAdapterFactory, USER_SCOPES } from './adapter.ts';
import { ensureSigningKey, LONGEST_SIGNED_TOKEN_SECONDS, providerJwks, signingKeysVersion } from './signing-keys.ts';

/** What the app learns about a member, by scope (see CLAIMS): the domain's token claims. */
export type AccountClaims = MemberTokenClaims;

/** The part of a pino logger the provider writes to. */
export interface ProviderLogger {
  info(details: object, message?: string): void;
  warn(details: object, message?: string): void;
  error(details: object, message?: string): void;
}

export interface RosterProviderOptions {
  db: Database;
  box: SecretBox;
  /** PUBLIC_URL, without a trailing slash. */
  issuer: string;
  /** The member's claims, or undefined for an unknown or deactivated member: then no token is issued. */
  findAccountClaims(memberId: string): Promise<AccountClaims | undefined>;
  /**
   * Whether the signed-in member may answer a request that names an organization or connection:
   * a browser signed in for one organization must not answer an app's request for another.
   */
  sessionFits?(memberId: string, request: { organization?: string; connection?: string }): Promise<boolean>;
  /** Where the upstream sign-in for an interaction is served, e.g. `/sso/interaction/${uid}`. */
  interactionPath(uid: string): string;
  /** The cookie signing keys are derived from it, identical on every instance. */
  cookieSecret: string;
  logger: ProviderLogger;
  /** Trust X-Forwarded-* (behind a load balancer). */
  proxy?: boolean;
  /** True when the issuer is https: cookies are then only ever sent over TLS. */
  secureCookies: boolean;
  /** The clock that decides which keys are published and when to look for new ones; tests move it. */
  now?: () => Date;
}

export interface RosterProvider {
  /** The current oidc-provider instance (replaced when the signing keys change). */
  readonly provider: Provider;
  /** Answers a request for one of the provider's routes. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Builds a Provider over the current keys and swaps it in. */
  reloadKeys(): Promise<void>;
  /** The app and scopes of a live client-credentials access token; undefined for anything else. */
  verifyAppToken(token: string): Promise<{ clientId: string; scopes: string[] } | undefined>;
}

export const PROVIDER_ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  jwks: '/.well-known/jwks.json',
  end_session: '/oauth2/logout',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
} as const;

/** Which claims each scope releases; ID tokens carry them too (`conformIdTokenClaims: false`). */
export const CLAIMS = {
  openid: ['sub', 'org', 'role', 'permissions', 'teams', 'team_roles', 'groups', 'idp'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
} as const;

const DAY = 24 * 60 * 60;
export const TTL = {
  AuthorizationCode: 60,
  AccessToken: 3600,
  IdToken: LONGEST_SIGNED_TOKEN_SECONDS,
  RefreshToken: 14 * DAY,
  Interaction: 600,
  Session: 14 * DAY,
  Grant: 14 * DAY,
  ClientCredentials: 3600,
} as const;

/** How often a running instance looks for a rotated key. */
const KEY_CHECK_MS = 30_000;

export async function createRosterProvider(options: RosterProviderOptions): Promise<RosterProvider> {
  if (options.issuer.endsWith('/')) throw new Error('the issuer must not end with a slash');
  const now = options.now ?? (() => new Date());
  const cookieKeys = deriveCookieKeys(options.cookieSecret);
  await ensureSigningKey(options.db, options.box);

  let current: { provider: Provider; callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>; version: string; nextExpiry: Date | undefined };
  let checkedAt = 0;
  let checking: Promise<void> | undefined;

  const build = async () => {
    // The version is read first: a rotation between the two reads is seen again at the next check.
    const version = await signingKeysVersion(options.db);
    const keys = await providerJwks(options.db, options.box, now());
    if (keys.jwks.keys.length === 0) throw new Error('no signing key: ensureSigningKey has not run');
    const provider = new Provider(options.issuer, configuration(options, keys.jwks, cookieKeys));
    provider.proxy = options.proxy ?? false;
    listen(provider, options.logger);
    const callback = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    current = { provider, callback, version, nextExpiry: keys.nextExpiry };
    checkedAt = now().getTime();
  };

  const check = async () => {
    try {
      const expired = current.nextExpiry !== undefined && current.nextExpiry <= now();
      if (expired || (await signingKeysVersion(options.db)) !== current.version) await build();
      checkedAt = now().getTime();
    } catch (error) {
      // The keys in hand still sign; try again at the next request after the interval.
      checkedAt = now().getTime();
      options.logger.error({ err: error }, 'could not check the OpenID Provider signing keys');
    }
  };

  await build();
  return {
    get provider() {
      return current.provider;
    },
    async handle(req, res) {
      const due = now().getTime() - checkedAt >= KEY_CHECK_MS || (current.nextExpiry !== undefined && current.nextExpiry <= now());
      if (due) {
        checking ??= check().finally(() => {
          checking = undefined;
        });
        await checking;
      }
      await current.callback(req, res);
    },
    async reloadKeys() {
      await build();
    },
    async verifyAppToken(token) {
      // Opaque tokens are looked up (the row is the token's state), so a revoked one fails at once.
      if (token.length > 512) return undefined;
      const found = await current.provider.ClientCredentials.find(token);
      if (!found || found.isExpired || found.clientId === undefined) return undefined;
      return { clientId: found.clientId, scopes: (found.scope ?? '').split(' ').filter(Boolean) };
    },
  };
}

function configuration(options: RosterProviderOptions, jwks: Configuration['jwks'], cookieKeys: string[]): Configuration {
  const policy = interactionPolicy.base();
  // Apps are first-party: the operator registered them, so nobody is asked to consent, even on
  // `prompt=consent` (which an app sends with offline_access to get a refresh token).
  policy.get('consent')?.checks.remove('consent_prompt');
  policy.get('login')?.checks.add(accountUnavailable, 0);
  if (options.sessionFits) policy.get('login')?.checks.add(sessionForAnotherOrganization(options.sessionFits), 1);

  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, ...(options.secureCookies ? { secure: true } : {}) };
  return {
    adapter: createAdapterFactory(options.db, options.box),
    clients: [],
    jwks,
    routes: { ...PROVIDER_ROUTES },
    responseTypes: ['code'],
    pkce: { required: () => true },
    extraParams: ['organization', 'connection'],
    scopes: [...USER_SCOPES, ...APP_SCOPES],
    // amr (how the member signed in upstream, from the login result) is not a member claim:
    // oidc-provider adds it to the ID token only when a scope releases it, so openid does.
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: [...CLAIMS.openid, 'amr'],
      email: [...CLAIMS.email],
      profile: [...CLAIMS.profile],
    },
    conformIdTokenClaims: false,
    ttl: { ...TTL },
    cookies: { keys: cookieKeys, long: cookieOptions, short: cookieOptions },
    interactions: {
      policy,
      url: (_ctx, interaction) => options.interactionPath(interaction.uid),
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
    },
    async findAccount(_ctx, sub) {
      const claims = await options.findAccountClaims(sub);
      if (claims === undefined) return undefined;
      return { accountId: sub, claims: () => ({ ...claims, sub }) };
    },
    loadExistingGrant,
    renderError(ctx, out) {
      // The OAuth error code only: descriptions can name clients and URIs the visitor should not see.
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head><body><h1>Sign-in failed</h1><p>${escapeHtml(String(out.error))}</p></body></html>`;
    },
  };
}

/**
 * A session whose member findAccountClaims no longer knows (deactivated, or deleted) signs nobody
 * in: straight from an upstream sign-in the app gets access_denied; an older session must sign in
 * again (login_required for prompt=none).
 */
const accountUnavailable = new interactionPolicy.Check(
  'account_unavailable',
  'the member is unknown or deactivated',
  'login_required',
  (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId || oidc.account) return false;
    if (oidc.result?.login) throw new errors.AccessDenied('the member is unknown or deactivated');
    return true;
  },
);

/**
 * An existing session answers a request naming an organization (or connection) only when its member
 * belongs there; otherwise the person signs in again (login_required for prompt=none), so an app
 * asking for acme never receives a member of another organization from a shared browser.
 */
function sessionForAnotherOrganization(fits: NonNullable<RosterProviderOptions['sessionFits']>) {
  return new interactionPolicy.Check(
    'session_for_another_organization',
    'the signed-in member does not belong to the requested organization or connection',
    'login_required',
    async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const accountId = oidc.session?.accountId;
      if (!accountId || oidc.result?.login) return false;
      const params = oidc.params as { organization?: unknown; connection?: unknown } | undefined;
      const request = {
        ...(typeof params?.organization === 'string' ? { organization: params.organization } : {}),
        ...(typeof params?.connection === 'string' ? { connection: params.connection } : {}),
      };
      if (request.organization === undefined && request.connection === undefined) return false;
      return !(await fits(accountId, request));
    },
  );
}

/**
 * The grant of an authorization: the session's existing one, or a new one, covering the scopes
 * and claims requested. Apps are first-party, so what they ask for is granted.
 */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const client = oidc.client;
  const accountId = oidc.session?.accountId;
  if (!client || !accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const grant = existing?.accountId === accountId ? existing : new oidc.provider.Grant({ clientId: client.clientId, accountId });
  const scopes = [...oidc.requestParamOIDCScopes].join(' ');
  if (scopes) grant.addOIDCScope(scopes);
  const claims = [...oidc.requestParamClaims];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

function listen(provider: Provider, logger: ProviderLogger): void {
  provider.on('server_error', (_ctx: unknown, error: Error) => logger.error({ err: error }, 'OpenID Provider error'));
  provider.on('backchannel.error', (_ctx: unknown, error: Error, client: { clientId: string }) =>
    logger.warn({ err: error, clientId: client.clientId }, 'back-channel logout failed'),
  );
}

/** HKDF of the secret: every instance derives the same keys, and the secret itself never signs a cookie. */
function deriveCookieKeys(secret: string): string[] {
  if (secret.length < 32) throw new Error('the cookie secret must be at least 32 characters');
  return [Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'roster', 'roster oidc-provider cookies v1', 32)).toString('base64url')];
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
