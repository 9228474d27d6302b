/** The SCIM request log: the middleware that records each authenticated request, and what of a body it may keep. */
export * from './middleware.ts';
