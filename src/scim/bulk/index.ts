/** SCIM Bulk (RFC 7644 §3.7): the /Bulk route, its request parser and its runner. */
export { bulkRoutes } from './routes.ts';
