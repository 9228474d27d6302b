/** The SCIM 2.0 protocol surface. */
export { scimRoutes, type ScimRoutesOptions } from './routes.ts';
export { FailedAuthThrottle, type FailedAuthThrottleOptions } from './failed-auth-throttle.ts';
export { scimError, scimErrorBody, SCIM_CONTENT_TYPE, type ScimType } from './errors.ts';
export { scimLimits, type ScimLimits } from './limits.ts';
export { scimRequestLog, type RequestLogSink, type ScimRequestLogOptions } from './request-log/index.ts';
