/**
 * oidc-provider's persistence in PostgreSQL, shared by every instance: one row per object
 * (session, interaction, grant, code, token) in `oidc_provider_payloads`, and the registered apps
 * read from `oidc_clients` for the model `Client`. Any instance can carry on a flow another began.
 */
import { and, eq, gt, isNull, or, type SQL } from 'drizzle-orm';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import { schema, type Database } from '../../db/index.ts';
import { APP_READ_SCOPES, findAppClient, type AppClient } from '../../directory/index.ts';
import type { SecretBox } from '../../secrets/index.ts';

const payloads = schema.oidcProviderPayloads;

/** Every app may use these; what a request may actually do is still checked per request. */
export const CLIENT_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/** Scopes an app asks for on a member's behalf (sign-in). */
export const USER_SCOPES = ['openid', 'offline_access', 'email', 'profile'] as const;
/** Scopes of the app's own client-credentials token: reading the admin API. */
export const APP_SCOPES = Object.values(APP_READ_SCOPES);

/**
 * The metadata oidc-provider builds its Client from. `client_secret_basic` is the registered
 * method, and oidc-provider accepts `client_secret_post` from such a client too: both carry the
 * same secret, and its client authentication offers either for a secret-based method.
 */
export function clientMetadata(app: AppClient): AdapterPayload {
  return {
    client_id: app.clientId,
    client_secret: app.clientSecret,
    client_name: app.name,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(app.backchannelLogoutUri === null ? {} : { backchannel_logout_uri: app.backchannelLogoutUri }),
    grant_types: [...CLIENT_GRANT_TYPES],
    scope: [...USER_SCOPES, ...APP_SCOPES].join(' '),
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** Adapters for every oidc-provider model, over one database; `now` is the clock (tests freeze it). */
export function createAdapterFactory(db: Database, box: SecretBox, now: () => Date = () => new Date()): AdapterFactory {
  return (model: string): Adapter => (model === 'Client' ? new ClientAdapter(db, box) : new PayloadAdapter(db, model, now));
}

class ClientAdapter implements Adapter {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const app = await findAppClient(this.#db, this.#box, id);
    return app === undefined ? undefined : clientMetadata(app);
  }

  // Apps are registered by the operator (`roster app create`), never through the provider.
  async upsert(): Promise<undefined> {
    throw new Error('apps are registered with registerApp, not through oidc-provider');
  }
  async destroy(): Promise<undefined> {
    throw new Error('apps are removed by the operator, not through oidc-provider');
  }
  async consume(): Promise<undefined> {
    throw new Error('a client cannot be consumed');
  }
  async revokeByGrantId(): Promise<undefined> {
    return undefined;
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
}

class PayloadAdapter implements Adapter {
  readonly #db: Database;
  readonly #model: string;
  readonly #now: () => Date;

  constructor(db: Database, model: string, now: () => Date) {
    this.#db = db;
    this.#model = model;
    this.#now = now;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<undefined> {
    const expiresAt = typeof expiresIn === 'number' ? new Date(this.#now().getTime() + expiresIn * 1000) : null;
    const columns = {
      payload: payload as Record<string, unknown>,
      grantId: stringOrNull(payload.grantId),
      uid: stringOrNull(payload.uid),
      userCode: stringOrNull(payload.userCode),
      accountId: stringOrNull(payload.accountId),
      expiresAt,
    };
    await this.#db
      .insert(payloads)
      .values({ model: this.#model, id, ...columns })
      .onConflictDoUpdate({ target: [payloads.model, payloads.id], set: columns });
    return undefined;
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere(eq(payloads.id, id));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere(eq(payloads.uid, uid));
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere(eq(payloads.userCode, userCode));
  }

  /** Marks the object used; oidc-provider refuses a code it finds `consumed` (and revokes its grant). */
  async consume(id: string): Promise<undefined> {
    await this.#db
      .update(payloads)
      .set({ consumedAt: this.#now() })
      .where(and(eq(payloads.model, this.#model), eq(payloads.id, id), isNull(payloads.consumedAt)))
      .returning({ id: payloads.id });
    return undefined;
  }

  async destroy(id: string): Promise<undefined> {
    await this.#db.delete(payloads).where(and(eq(payloads.model, this.#model), eq(payloads.id, id)));
    return undefined;
  }

  /** Ends everything issued under the grant (codes, access and refresh tokens), whatever its model. */
  async revokeByGrantId(grantId: string): Promise<undefined> {
    await this.#db.delete(payloads).where(eq(payloads.grantId, grantId));
    return undefined;
  }

  async #findWhere(match: SQL): Promise<AdapterPayload | undefined> {
    const [row] = await this.#db
      .select({ payload: payloads.payload, consumedAt: payloads.consumedAt })
      .from(payloads)
      .where(and(eq(payloads.model, this.#model), match, or(isNull(payloads.expiresAt), gt(payloads.expiresAt, this.#now()))))
      .limit(1);
    if (!row) return undefined;
    const payload = row.payload as AdapterPayload;
    return row.consumedAt === null ? payload : { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) };
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
