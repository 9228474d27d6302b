/**
 * Apps that sign people in through Roster: the OAuth clients of its OpenID Provider. An app is not
 * tied to an organization; its secret is sealed at rest (oidc-provider compares it in the clear).
 */
import { randomBytes } from 'node:crypto';
import { asc, eq, isNotNull } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { sealContext, type SecretBox } from '../secrets/index.ts';
import { recordAudit } from './audit.ts';
import type { Actor } from './context.ts';

export interface RegisterAppInput {
  name: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[] | undefined;
  backchannelLogoutUri?: string | undefined;
  /** Where a sign-in begun at the IdP sends the person (OIDC Core §4 third-party-initiated login). */
  initiateLoginUri?: string | undefined;
}

export interface AppInfo {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  initiateLoginUri: string | null;
  createdAt: Date;
}

/** What the OpenID Provider needs to know of a client, its secret opened. */
export interface AppClient {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
}

const SYSTEM: Actor = { type: 'system', id: 'roster' };
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_URIS = 20;

/** The context a client secret is sealed under: a sealed value copied into another row does not open. */
const appSecretContext = (clientId: string) => sealContext('oidc_clients', clientId);

/**
 * Registers an app. The secret (256 random bits) is returned once and never again; the caller
 * shows it to the operator.
 */
export async function registerApp(
  db: Database,
  box: SecretBox,
  input: RegisterAppInput,
  actor: Actor = SYSTEM,
): Promise<{ clientId: string; clientSecret: string }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new DomainError('invalid_input', 'name must be 1 to 200 characters', { details: { field: 'name' } });
  }
  if (input.redirectUris.length === 0) {
    throw new DomainError('invalid_input', 'at least one redirect URI is required', { details: { field: 'redirectUris' } });
  }
  const redirectUris = checkUris(input.redirectUris, 'redirectUris');
  const postLogoutRedirectUris = checkUris(input.postLogoutRedirectUris ?? [], 'postLogoutRedirectUris');
  const backchannelLogoutUri =
    input.backchannelLogoutUri === undefined ? null : checkUri(input.backchannelLogoutUri, 'backchannelLogoutUri');
  const initiateLoginUri = input.initiateLoginUri === undefined ? null : checkUri(input.initiateLoginUri, 'initiateLoginUri');

  const clientId = `app_${randomBytes(16).toString('base64url')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  await withTransaction(db, async (tx) => {
    await tx.insert(schema.oidcClients).values({
      clientId,
      name,
      redirectUris,
      postLogoutRedirectUris,
      backchannelLogoutUri,
      initiateLoginUri,
      sealedSecret: box.seal(clientSecret, appSecretContext(clientId)),
    });
    await recordAudit(tx, actor, {
      organizationId: null,
      action: 'app.registered',
      target: { type: 'app', id: clientId },
      details: { name, redirectUris, postLogoutRedirectUris, backchannelLogoutUri, initiateLoginUri },
    });
  });
  return { clientId, clientSecret };
}

export async function listApps(db: Database): Promise<AppInfo[]> {
  const rows = await db.select().from(schema.oidcClients).orderBy(asc(schema.oidcClients.createdAt), asc(schema.oidcClients.clientId));
  return rows.map((row) => ({
    clientId: row.clientId,
    name: row.name,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    backchannelLogoutUri: row.backchannelLogoutUri,
    initiateLoginUri: row.initiateLoginUri,
    createdAt: row.createdAt,
  }));
}

/**
 * The app a sign-in begun at the IdP goes to: the one app with an initiate-login URI. With none,
 * or several (Roster could not tell which the person meant), the caller refuses with the reason.
 */
export async function appForIdpInitiatedLogin(db: Database): Promise<{ ok: true; clientId: string; initiateLoginUri: string } | { ok: false; reason: string }> {
  const rows = await db
    .select({ clientId: schema.oidcClients.clientId, initiateLoginUri: schema.oidcClients.initiateLoginUri })
    .from(schema.oidcClients)
    .where(isNotNull(schema.oidcClients.initiateLoginUri))
    .limit(2);
  if (rows.length === 1 && rows[0]!.initiateLoginUri !== null) return { ok: true, clientId: rows[0]!.clientId, initiateLoginUri: rows[0]!.initiateLoginUri };
  return { ok: false, reason: rows.length === 0 ? 'no app has an initiate-login URI' : 'several apps have an initiate-login URI' };
}

/** The client with its secret opened, or undefined when there is no such app. */
export async function findAppClient(db: Database, box: SecretBox, clientId: string): Promise<AppClient | undefined> {
  const [row] = await db.select().from(schema.oidcClients).where(eq(schema.oidcClients.clientId, clientId)).limit(1);
  if (!row) return undefined;
  return {
    clientId: row.clientId,
    clientSecret: box.open(row.sealedSecret, appSecretContext(row.clientId)),
    name: row.name,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    backchannelLogoutUri: row.backchannelLogoutUri,
  };
}

function checkUris(uris: readonly string[], field: string): string[] {
  if (uris.length > MAX_URIS) throw new DomainError('invalid_input', `at most ${MAX_URIS} URIs in ${field}`, { details: { field } });
  return [...new Set(uris.map((uri) => checkUri(uri, field)))];
}

/**
 * Absolute http(s) without a fragment; plain http only for loopback hosts, where an app under
 * development listens. The URI is kept as given: oidc-provider compares redirect URIs exactly.
 */
function checkUri(uri: string, field: string): string {
  const refuse = (why: string): never => {
    throw new DomainError('invalid_input', `${field}: "${uri}" ${why}`, { details: { field } });
  };
  if (!URL.canParse(uri)) refuse('is not an absolute URL');
  const url = new URL(uri);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('must use https');
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) refuse('must use https (http is allowed for 127.0.0.1, [::1] and localhost only)');
  if (uri.includes('#')) refuse('must not have a fragment');
  if (url.username !== '' || url.password !== '') refuse('must not carry credentials');
  return uri;
}
