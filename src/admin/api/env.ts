/** What the admin API's routes share: their dependencies and the per-request actor. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Database } from '../../db/index.ts';
import type { Actor, Context as DomainContext } from '../../directory/index.ts';
import type { SecretBox } from '../../secrets/index.ts';

/** An app's client-credentials access token, as Roster's OP knows it. */
export interface AppToken {
  clientId: string;
  scopes: readonly string[];
}

export interface AdminApiDeps {
  db: Database;
  publicUrl: string;
  box: SecretBox;
  allowInsecureIdpUrls: boolean;
  /** Checks an access token issued by Roster's OP; absent, app tokens are not accepted. */
  verifyAppToken?: ((token: string) => Promise<AppToken | undefined>) | undefined;
  /** The time verbs read; absent, the system clock (tests move it). */
  clock?: (() => Date) | undefined;
}

export type AdminEnv = { Variables: { actor: Actor; ctx: DomainContext } };

export type AdminApi = OpenAPIHono<AdminEnv>;
