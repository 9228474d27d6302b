/** The SCIM 2.0 protocol surface. */
export { scimRoutes, type ScimRoutesOptions } from './routes.ts';
export { FailedAuthThrottle, type FailedAuthThrottleOptions } from './failed-auth-throttle.ts';
export { scimError, scimErrorBody, SCIM_CONTENT_TYPE, type ScimType } from './errors.ts';
export { scimLimits, type ScimLimits } from './limits.ts';
export { scimRequestLog, type RequestLogSink, type ScimRequestLogOptions } from './request-log/index.ts';
export { RequestLogWriter, type RequestLogWriterOptions, type RequestLogWriterStats } from '../jobs/index.ts';
export { startRequestLogPruner, type RequestLogPruner, type RequestLogPrunerOptions } from '../jobs/index.ts';
export { startCountFolder, type CountFolderOptions } from '../jobs/index.ts';
export type { PeriodicTask } from '../jobs/index.ts';
