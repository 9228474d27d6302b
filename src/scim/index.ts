/** The SCIM 2.0 protocol surface. */
export { scimRoutes, type ScimRoutesOptions } from './routes.ts';
export { scimError, scimErrorBody, SCIM_CONTENT_TYPE, type ScimType } from './errors.ts';
