/** Sign-in in the domain: SSO connections, domains for home-realm discovery, upstream sign-in flows and the sign-in log. */
export * from './connections.ts';
export * from './domains.ts';
export * from './flows.ts';
export * from './sign-ins.ts';
