/**
 * The SCIM 2.0 service provider mounted at /scim/v2: one base URL per directory. Everything under
 * it, including unknown routes and oversized bodies, answers with SCIM error bodies.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { scimBearerAuth, type ScimAuthOptions, type ScimVariables } from './auth.ts';
import { scimError, scimErrorFor, SCIM_CONTENT_TYPE } from './errors.ts';
import { serviceProviderConfig } from './service-provider-config.ts';

export interface ScimRoutesOptions {
  authenticate: ScimAuthOptions['authenticate'];
  publicUrl: string;
  maxBodyBytes: number;
}

export function scimRoutes(options: ScimRoutesOptions): Hono<{ Variables: ScimVariables }> {
  const scim = new Hono<{ Variables: ScimVariables }>();

  scim.use(
    '/:directoryId/*',
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (c) => scimError(c, 413, `request body exceeds the limit of ${options.maxBodyBytes} bytes`),
    }),
    scimBearerAuth({ authenticate: options.authenticate }),
  );

  scim.get('/:directoryId/ServiceProviderConfig', (c) => {
    const base = `${options.publicUrl}/scim/v2/${c.get('principal').directoryId}`;
    return c.body(JSON.stringify(serviceProviderConfig(`${base}/ServiceProviderConfig`)), 200, {
      'Content-Type': SCIM_CONTENT_TYPE,
    });
  });

  scim.all('*', (c) => scimError(c, 404, `no SCIM endpoint at ${c.req.method} ${c.req.path}`));
  scim.onError((error, c) => scimErrorFor(c, error));
  return scim;
}
