/** The SCIM 2.0 protocol surface. */
export { scimRoutes, type ScimRoutesOptions } from './routes.ts';
export { scimError, scimErrorBody, SCIM_CONTENT_TYPE, type ScimType } from './errors.ts';
export { scimLimits, type ScimLimits } from './limits.ts';
export { scimRequestLog, type RequestLogSink, type ScimRequestLogOptions } from './request-log.ts';
export { RequestLogWriter, type RequestLogWriterOptions, type RequestLogWriterStats } from './request-log-writer.ts';
export { startRequestLogPruner, type RequestLogPruner, type RequestLogPrunerOptions } from './request-log-pruner.ts';
export { startCountFolder, type CountFolderOptions } from './count-folder.ts';
export type { PeriodicTask } from './periodic-task.ts';
