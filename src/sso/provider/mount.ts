/**
 * The OpenID Provider's routes in the Hono app. oidc-provider is a Node (Koa) handler that reads
 * the request body itself, so it gets the raw request and response of @hono/node-server, and no
 * middleware on these paths may read the body before it.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import type { RosterProvider } from './provider.ts';

/** Paths answered by the provider: `/oauth2/*` and its two documents under `/.well-known`. */
export const PROVIDER_PATHS = ['/oauth2/*', '/.well-known/openid-configuration', '/.well-known/jwks.json'] as const;

export function providerRoutes(rp: RosterProvider): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  const handler = async (c: Context<{ Bindings: HttpBindings }>) => {
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (!incoming || !outgoing) {
      return c.text('the OpenID Provider needs the raw Node request: serve the app with @hono/node-server (app.request() cannot reach it)', 500);
    }
    await rp.handle(incoming, outgoing);
    return RESPONSE_ALREADY_SENT;
  };
  for (const path of PROVIDER_PATHS) app.all(path, handler);
  return app;
}
