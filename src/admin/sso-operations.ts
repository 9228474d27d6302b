/**
 * The operator's side of SSO, shared by the operation table (the CLI) and the admin API: their
 * inputs as zod schemas and their outputs as plain JSON. The field names are a contract other
 * tooling relies on; no output ever carries a connection's secret, an app's secret after its
 * creation, or a private key.
 */
import { z } from 'zod';
import type { Database } from '../db/index.ts';
import {
  addOrganizationDomain,
  createSsoConnection,
  getSsoConnection,
  updateSsoConnection,
  listApps,
  listOrganizationDomains,
  listSignIns,
  listSsoConnections,
  registerApp,
  rotateSealedSecrets,
  type Actor,
  type AppInfo,
  type OrgContext,
  type OrganizationDomain,
  type SignInRecord,
  type SsoConnectionInfo,
} from '../directory/index.ts';
import { DomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { SecretBox } from '../secrets/index.ts';

/**
 * The SSO module is loaded by the commands that use it only: it brings the OpenID Provider along,
 * which the other commands have no use for (and which warns on stderr on Node.js before 22).
 */
const sso = () => import('../sso/index.ts');
/** Setting connections up needs the SAML and OIDC modules only, not the OpenID Provider. */
const ssoSetup = () => import('../sso/setup/index.ts');

/** What the SSO commands need beyond the database: where Roster is reached, and the secret box. */
export interface SsoCommandEnv {
  publicUrl: string;
  box: SecretBox;
  /** ALLOW_INSECURE_IDP_URLS: http IdP URLs accepted, for IdPs on loopback in tests. */
  allowInsecureIdpUrls: boolean;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * Validates an input against its schema, unknown fields refused rather than ignored; the first
 * problem becomes one invalid_input line naming the field.
 */
export function parseInput<S extends z.ZodObject>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.strict().safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new DomainError('invalid_input', `${where}${issue?.message ?? 'invalid input'}`, {
      ...(issue?.path.length ? { details: { field: issue.path.join('.') } } : {}),
    });
  }
  return parsed.data as z.infer<S>;
}

// ---------------------------------------------------------------------------------------------
// Connections

const SAML_ONLY = ['metadataXml', 'metadataUrl', 'idpEntityId', 'ssoUrl', 'certificates', 'allowIdpInitiated'] as const;
const OIDC_ONLY = ['issuer', 'clientId', 'clientSecret', 'scopes', 'tokenEndpointAuthMethod'] as const;

export const connectionCreateInput = z.object({
  type: z.enum(['saml', 'oidc']),
  name: z.string().optional(),
  preset: z.string().optional(),
  /** SAML: the IdP metadata document, or the URL to fetch it from (one of the two). */
  metadataXml: z.string().optional(),
  metadataUrl: z.string().optional(),
  /** SAML without metadata: the IdP's entity ID, sign-on URL and signing certificates (PEM or base64). */
  idpEntityId: z.string().optional(),
  ssoUrl: z.string().optional(),
  certificates: z.array(z.string()).max(10).optional(),
  allowIdpInitiated: z.boolean().optional(),
  /** OIDC: the issuer (discovery is fetched from it) and the client registered at the IdP. */
  issuer: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  scopes: z.array(z.string().min(1)).optional(),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
});
export type ConnectionCreateInput = z.infer<typeof connectionCreateInput>;

/** What `connection create` answers: the URLs the IdP's administrator enters. */
export type CreatedConnectionJson =
  | { id: string; type: 'saml'; spEntityId: string; acsUrl: string; spMetadataUrl: string }
  | { id: string; type: 'oidc'; redirectUri: string };

export type ConnectionJson = { id: string; type: 'saml' | 'oidc'; name: string; preset: string | null; createdAt: string; mapping: Record<string, unknown> } & (
  | { spEntityId: string; acsUrl: string; spMetadataUrl: string }
  | { redirectUri: string }
);

const setting = (c: SsoConnectionInfo, key: string): string => {
  const value = c.settings[key];
  return typeof value === 'string' ? value : '';
};

type SamlConnectionUrls = (publicUrl: string, connectionId: string) => { spMetadataUrl: string };

function connectionUrls(urls: SamlConnectionUrls, publicUrl: string, c: SsoConnectionInfo) {
  return c.type === 'saml'
    ? { spEntityId: setting(c, 'spEntityId'), acsUrl: setting(c, 'acsUrl'), spMetadataUrl: urls(publicUrl, c.id).spMetadataUrl }
    : { redirectUri: setting(c, 'redirectUri') };
}

/** A connection as `connection list` and the admin API show it: public settings only. */
function connectionJson(urls: SamlConnectionUrls, publicUrl: string, c: SsoConnectionInfo): ConnectionJson {
  return { id: c.id, type: c.type, name: c.name, preset: c.preset, createdAt: c.createdAt.toISOString(), mapping: c.mapping, ...connectionUrls(urls, publicUrl, c) };
}

/**
 * Creates a SAML or OIDC connection: the protocol layer reads the metadata or runs discovery and
 * makes the SP key pair, the domain seals the secret and stores the rest.
 */
export async function createConnection(ctx: OrgContext, env: SsoCommandEnv, input: ConnectionCreateInput): Promise<CreatedConnectionJson> {
  const foreign = (input.type === 'saml' ? OIDC_ONLY : SAML_ONLY).filter((key) => input[key] !== undefined);
  if (foreign.length > 0) {
    throw new DomainError('invalid_input', `${foreign.join(', ')} ${foreign.length === 1 ? 'does' : 'do'} not apply to ${input.type.toUpperCase()} connections`, {
      details: { field: foreign[0] },
    });
  }
  const { prepareOidcConnection, prepareSamlConnection, samlConnectionUrls } = await ssoSetup();
  const setup = { publicUrl: env.publicUrl, allowInsecureIdpUrls: env.allowInsecureIdpUrls };
  const common = { ...(input.name === undefined ? {} : { name: input.name }), ...(input.preset === undefined ? {} : { preset: input.preset }) };
  let prepared;
  if (input.type === 'saml') {
    prepared = await prepareSamlConnection(
      {
        ...common,
        ...(input.metadataXml === undefined ? {} : { metadataXml: input.metadataXml }),
        ...(input.metadataUrl === undefined ? {} : { metadataUrl: input.metadataUrl }),
        ...(input.idpEntityId === undefined && input.ssoUrl === undefined && input.certificates === undefined
          ? {}
          : { manual: { idpEntityId: input.idpEntityId ?? '', ssoUrl: input.ssoUrl ?? '', certificates: input.certificates ?? [] } }),
        ...(input.allowIdpInitiated === undefined ? {} : { allowIdpInitiated: input.allowIdpInitiated }),
      },
      setup,
    );
  } else {
    const missing = (['issuer', 'clientId', 'clientSecret'] as const).filter((key) => input[key] === undefined);
    if (missing.length > 0) {
      throw new DomainError('invalid_input', `an OIDC connection needs ${missing.join(', ')}`, { details: { field: missing[0] } });
    }
    prepared = await prepareOidcConnection(
      {
        ...common,
        issuer: input.issuer as string,
        clientId: input.clientId as string,
        clientSecret: input.clientSecret as string,
        ...(input.scopes === undefined ? {} : { scopes: [...input.scopes] }),
        ...(input.tokenEndpointAuthMethod === undefined ? {} : { tokenEndpointAuthMethod: input.tokenEndpointAuthMethod }),
      },
      setup,
    );
  }
  const c = await createSsoConnection(ctx, env.box, prepared);
  return { id: c.id, type: c.type, ...connectionUrls(samlConnectionUrls, env.publicUrl, c) } as CreatedConnectionJson;
}

export const connectionUpdateInput = z.object({
  id: z.string(),
  name: z.string().optional(),
  /** SAML: the IdP signing certificates trusted from now on (all of them: old and new during a rotation). */
  certificates: z.array(z.string()).min(1).max(10).optional(),
  allowIdpInitiated: z.boolean().optional(),
  /** The attribute/claim mapping, edited from the preset's (see `connection list --json`). */
  mapping: z.record(z.string(), z.unknown()).optional(),
});

/** Changes a connection in place: its URLs and SP key pair stay, so nothing changes at the IdP. */
export async function updateConnection(ctx: OrgContext, publicUrl: string, input: z.infer<typeof connectionUpdateInput>): Promise<ConnectionJson> {
  if (!isUuid(input.id)) throw new DomainError('not_found', `no SSO connection ${input.id} in this organization`);
  const current = await getSsoConnection(ctx, input.id.toLowerCase());
  const { checkIdpCertificates, checkProfileMapping, samlConnectionUrls } = await ssoSetup();
  const samlOnly = [input.certificates === undefined ? undefined : 'certificates', input.allowIdpInitiated === undefined ? undefined : 'allowIdpInitiated'].filter(Boolean);
  if (current.type !== 'saml' && samlOnly.length > 0) {
    throw new DomainError('invalid_input', `${samlOnly.join(', ')} apply to SAML connections only`, { details: { field: samlOnly[0] } });
  }
  const settings: Record<string, unknown> = {};
  if (input.certificates !== undefined) settings.certificates = checkIdpCertificates(input.certificates);
  if (input.allowIdpInitiated !== undefined) settings.allowIdpInitiated = input.allowIdpInitiated;
  const updated = await updateSsoConnection(ctx, current.id, {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.mapping === undefined ? {} : { mapping: checkProfileMapping(input.mapping) }),
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
  });
  return connectionJson(samlConnectionUrls, publicUrl, updated);
}

export async function listConnections(ctx: OrgContext, publicUrl: string): Promise<ConnectionJson[]> {
  const connections = await listSsoConnections(ctx);
  const urls = connections.some((c) => c.type === 'saml') ? (await ssoSetup()).samlConnectionUrls : () => ({ spMetadataUrl: '' });
  return connections.map((c) => connectionJson(urls, publicUrl, c));
}

// ---------------------------------------------------------------------------------------------
// Apps

export const appCreateInput = z.object({
  name: z.string(),
  redirectUris: z.array(z.string()).min(1, 'at least one redirect URI is required'),
  postLogoutRedirectUris: z.array(z.string()).optional(),
  backchannelLogoutUri: z.string().optional(),
  initiateLoginUri: z.string().optional(),
});

/** The app's credentials, shown once, and the issuer it discovers Roster at. */
export async function createAppClient(
  db: Database,
  env: SsoCommandEnv,
  actor: Actor,
  input: z.infer<typeof appCreateInput>,
): Promise<{ clientId: string; clientSecret: string; issuer: string }> {
  const app = await registerApp(
    db,
    env.box,
    {
      name: input.name,
      redirectUris: input.redirectUris,
      ...(input.postLogoutRedirectUris === undefined ? {} : { postLogoutRedirectUris: input.postLogoutRedirectUris }),
      ...(input.backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri: input.backchannelLogoutUri }),
      ...(input.initiateLoginUri === undefined ? {} : { initiateLoginUri: input.initiateLoginUri }),
    },
    actor,
  );
  return { clientId: app.clientId, clientSecret: app.clientSecret, issuer: env.publicUrl };
}

export const appJson = (a: AppInfo) => ({
  clientId: a.clientId,
  name: a.name,
  redirectUris: a.redirectUris,
  postLogoutRedirectUris: a.postLogoutRedirectUris,
  backchannelLogoutUri: a.backchannelLogoutUri,
  initiateLoginUri: a.initiateLoginUri,
  createdAt: a.createdAt.toISOString(),
});

export async function listAppClients(db: Database) {
  return (await listApps(db)).map(appJson);
}

// ---------------------------------------------------------------------------------------------
// Domains and sign-ins

export const domainAddInput = z.object({ domain: z.string(), verified: z.boolean().optional() });

export const domainJson = (d: OrganizationDomain) => ({ id: d.id, domain: d.domain, verified: d.verified, verifiedAt: iso(d.verifiedAt) });

export async function addDomain(ctx: OrgContext, input: z.infer<typeof domainAddInput>) {
  return domainJson(await addOrganizationDomain(ctx, { domain: input.domain, verified: input.verified ?? false }));
}

export async function listDomains(ctx: OrgContext) {
  return (await listOrganizationDomains(ctx)).map((d) => ({ ...domainJson(d), createdAt: d.createdAt.toISOString() }));
}

export const MAX_SIGN_IN_PAGE = 1000;
export const DEFAULT_SIGN_IN_PAGE = 50;

/** A sign-in attempt as operators read it; `detail` (the long reason) is last, and the CLI's table leaves it out. */
export const signInJson = (s: SignInRecord) => ({
  id: s.id,
  occurredAt: s.occurredAt.toISOString(),
  outcome: s.outcome,
  reason: s.reason,
  connectionId: s.connectionId,
  memberId: s.memberId,
  email: s.email,
  idpSubject: s.idpSubject,
  ip: s.ip,
  userAgent: s.userAgent,
  detail: s.detail,
});

export async function listSignInsJson(ctx: OrgContext, limit: number | undefined) {
  return (await listSignIns(ctx, { limit: limit ?? DEFAULT_SIGN_IN_PAGE })).map(signInJson);
}

// ---------------------------------------------------------------------------------------------
// Keys and the master secret

/**
 * Makes a new signing key the active one. The one it replaces stays published for as long as the
 * tokens it signed live; running servers reload their keys by themselves.
 */
export async function rotateKeys(db: Database, box: SecretBox, now = new Date()) {
  const { rotateSigningKeys, LONGEST_SIGNED_TOKEN_SECONDS } = await sso();
  const { kid, retired } = await rotateSigningKeys(db, box, { publishFor: LONGEST_SIGNED_TOKEN_SECONDS, now });
  const previousKid = retired[0] ?? null;
  return {
    kid,
    previousKid,
    previousPublishedUntil: previousKid === null ? null : new Date(now.getTime() + LONGEST_SIGNED_TOKEN_SECONDS * 1000).toISOString(),
  };
}

/**
 * Re-seals every value sealed with ROSTER_SECRET_PREVIOUS under ROSTER_SECRET. `keyId`, when
 * given, is the key of the ROSTER_SECRET the caller means: a command handed to a running server
 * that was started with another secret is refused rather than re-sealing with the wrong one.
 */
export async function rotateSecret(db: Database, box: SecretBox, actor: Actor, keyId: string | undefined) {
  if (keyId !== undefined && keyId !== box.currentKeyId) {
    throw new DomainError(
      'precondition_failed',
      `the server running this command uses another ROSTER_SECRET (key ${box.currentKeyId}, not ${keyId}); restart it with the new secret as ROSTER_SECRET and the old one as ROSTER_SECRET_PREVIOUS, or stop it, then rotate`,
    );
  }
  return rotateSealedSecrets(db, box, actor);
}
