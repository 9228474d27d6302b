/**
 * The help text that is not an option list: one example per command, and the environment that
 * `roster serve` reads. Kept free of imports so that `roster --help` loads nothing else.
 */

/** What works today and what does not yet, as `roster --help` opens with it. */
export const SUMMARY = [
  'Roster: multi-tenant identity provisioning for B2B SaaS apps.',
  'Works today: SCIM 2.0 directories for Okta and Microsoft Entra ID, this CLI and the admin API.',
  'Not yet (planned): SSO (SAML, OIDC), members, roles, invitations and provisioning modes.',
  'Configured with environment variables: see roster serve --help.',
].join('\n');

/** The identity providers a directory may be created for (the domain's DIRECTORY_PROVIDERS). */
export const DIRECTORY_PROVIDER_CHOICES = ['okta', 'entra', 'google', 'generic'] as const;

/** One example per command, by its path below `roster`. */
export const EXAMPLES: Readonly<Record<string, string>> = {
  serve: 'PORT=8080 roster serve',
  migrate: 'DATABASE_URL=postgres://roster@127.0.0.1:5432/roster ROSTER_SECRET=... roster migrate',
  'org create': 'roster org create --slug acme --name "Acme Inc"',
  'org list': 'roster org list --json',
  'directory create': 'roster directory create --org acme --provider okta',
  'directory list': 'roster directory list --org acme',
  'directory delete': 'roster directory delete 01936f0e-5b1c-7a4e-9d2f-3c8b1a2e4f60 --org acme',
  'directory log': 'roster directory log --directory 01936f0e-5b1c-7a4e-9d2f-3c8b1a2e4f60 --failed --limit 20',
  'directory token create': 'roster directory token create --org acme --directory 01936f0e-5b1c-7a4e-9d2f-3c8b1a2e4f60',
  'directory token list': 'roster directory token list --org acme --directory 01936f0e-5b1c-7a4e-9d2f-3c8b1a2e4f60',
  'directory token revoke':
    'roster directory token revoke --org acme --directory 01936f0e-5b1c-7a4e-9d2f-3c8b1a2e4f60 --token 01936f10-2a44-7c1d-8e3b-5f6a7b8c9d0e',
  'api-key create': 'roster api-key create --name deploy-bot',
  'api-key list': 'roster api-key list',
  'api-key revoke': 'roster api-key revoke --id 01936f12-7d3e-7f20-a1b2-c3d4e5f60718',
};

/** Every variable src/config.ts reads, its default and what it does (a test keeps the two in step). */
export const ENVIRONMENT: readonly { name: string; fallback: string; meaning: string }[] = [
  { name: 'PORT', fallback: '3000', meaning: 'TCP port; 0 picks a free one' },
  { name: 'HOST', fallback: '127.0.0.1', meaning: 'address to bind; 0.0.0.0 behind a proxy or in a container' },
  { name: 'PUBLIC_URL', fallback: 'http://HOST:PORT', meaning: 'external base URL used in every URL Roster returns' },
  { name: 'LOG_LEVEL', fallback: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent (logs are JSON lines)' },
  { name: 'DATABASE_URL', fallback: 'unset', meaning: 'postgres://... uses PostgreSQL; unset, the embedded database in DATA_DIR' },
  { name: 'DATABASE_POOL_SIZE', fallback: '4', meaning: 'PostgreSQL connections per process, 2 to 100' },
  { name: 'DATA_DIR', fallback: './data', meaning: 'the embedded database, its generated secret and its lock file' },
  { name: 'ROSTER_SECRET', fallback: 'generated', meaning: 'master key, 32+ characters, sealing SSO secrets at rest; required with DATABASE_URL' },
  { name: 'ROSTER_SECRET_PREVIOUS', fallback: 'unset', meaning: 'the secret being replaced, during `roster secret rotate`' },
  { name: 'ALLOW_INSECURE_IDP_URLS', fallback: 'false', meaning: 'true allows http:// IdP URLs, for local testing only' },
  { name: 'MAX_BODY_BYTES', fallback: '2097152', meaning: 'largest request body accepted; larger ones get 413' },
  { name: 'SCIM_MAX_RESOURCE_BYTES', fallback: '65536', meaning: 'largest SCIM user or group stored, in bytes of its JSON' },
  { name: 'SHUTDOWN_TIMEOUT_MS', fallback: '10000', meaning: 'on SIGTERM, how long in-flight requests may take' },
  { name: 'SCIM_RATE_LIMIT_PER_MINUTE', fallback: '6000', meaning: 'SCIM requests per bearer token per minute; 0 turns the limit off' },
  { name: 'SCIM_REQUEST_LOG_RETENTION_DAYS', fallback: '30', meaning: "how long a directory's SCIM request log keeps entries" },
];

export function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT.map((v) => `${v.name}=${v.fallback}`.length));
  return [
    'Environment (defaults after =):',
    ...ENVIRONMENT.map((v) => `  ${`${v.name}=${v.fallback}`.padEnd(width)}  ${v.meaning}`),
    '',
    'Logs are JSON lines on stdout, one per request; a refused SCIM token is logged there with the reason.',
  ].join('\n');
}
