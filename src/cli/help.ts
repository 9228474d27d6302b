/**
 * The help text that is not an option list: one example per command, and the environment that
 * `roster serve` reads. Kept free of imports so that `roster --help` loads nothing else.
 */

/** What works today and what does not yet, as `roster --help` opens with it. */
export const SUMMARY = [
  'Roster: multi-tenant identity provisioning for B2B SaaS apps.',
  'Works today: SCIM 2.0 directories for Okta and Microsoft Entra ID;',
  'SSO through each organization\'s SAML or OIDC IdP (or a one-time email code),',
  'handed to your app by Roster\'s OpenID Provider; members, roles, teams,',
  'invitations, seats and the audit log; this CLI and the admin API.',
  'Not yet (planned): provisioning modes, group mapping, the console\'s screens.',
  'Configured with environment variables: see roster serve --help.',
].join('\n');

/** The identity providers a directory may be created for (the domain's DIRECTORY_PROVIDERS). */
export const DIRECTORY_PROVIDER_CHOICES = ['okta', 'entra', 'google', 'generic'] as const;

/** The IdP presets a connection may be created with (the SSO profile's PRESET_NAMES). */
export const PRESET_CHOICES = ['okta', 'entra', 'google', 'generic-saml', 'generic-oidc'] as const;

/** How to change ROSTER_SECRET, under `roster secret rotate --help`. */
export const SECRET_ROTATION_HELP = [
  'Changing ROSTER_SECRET:',
  '  1. Restart every server with the new secret as ROSTER_SECRET and the old one as',
  '     ROSTER_SECRET_PREVIOUS: they read values sealed with either, and seal new ones with the new.',
  '  2. Run this command with the same two variables. Every sealed value (connection secrets, app',
  '     secrets, signing keys, sign-ins in progress, emails) is re-sealed with the new secret in one',
  '     transaction; without ROSTER_SECRET_PREVIOUS it refuses while values sealed with another exist.',
  '  3. Remove ROSTER_SECRET_PREVIOUS and restart the servers.',
  'With the embedded database the secret is normally generated into DATA_DIR/secret. To rotate it,',
  'set ROSTER_SECRET to the new secret and ROSTER_SECRET_PREVIOUS to the content of DATA_DIR/secret;',
  'afterwards either keep ROSTER_SECRET set for the server and every command, or write the new secret',
  'into DATA_DIR/secret (mode 0600). While a server holds the embedded database the command runs in',
  'that server, so start it with the two variables first.',
].join('\n');

/** One example per command, by its path below `roster`. */
export const EXAMPLES: Readonly<Record<string, string>> = {
  serve: 'PORT=8080 roster serve',
  migrate: 'DATABASE_URL=postgres://roster@127.0.0.1:5432/roster ROSTER_SECRET=... roster migrate',
  'org create': 'roster org create --slug acme --name "Acme Inc"',
  'org list': 'roster org list --json',
  'org show': 'roster org show --org acme',
  'org set': 'roster org set --org acme --seats 50\n  roster org set --org acme --seats unlimited --invitation-ttl-hours 72',
  'audit list': 'roster audit list --org acme --action "member.*" --since 2026-01-01T00:00:00Z',
  'audit export': 'roster audit export --org acme --since 2026-01-01T00:00:00Z --output audit.csv',
  'audit events': 'roster audit events --org acme --after 0193a4c2-7f00-7000-8000-000000000000 --json',
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
  'connection create':
    'roster connection create --org acme --type saml --preset okta --metadata-url https://acme.okta.com/app/exk1a2b3c4/sso/saml/metadata\n' +
    '  roster connection create --org acme --type saml --idp-entity-id https://idp.acme.com --sso-url https://idp.acme.com/sso --certificate-file idp.pem\n' +
    '  roster connection create --org acme --type oidc --preset entra --issuer https://login.microsoftonline.com/TENANT_ID/v2.0 --client-id CLIENT_ID --client-secret CLIENT_SECRET',
  'connection update':
    'roster connection update --org acme 01936f20-4b5c-7d6e-8f90-a1b2c3d4e5f6 --certificate-file old-idp.pem --certificate-file new-idp.pem\n' +
    '  roster connection update --org acme 01936f20-4b5c-7d6e-8f90-a1b2c3d4e5f6 --mapping-file mapping.json',
  'connection list': 'roster connection list --org acme --json',
  'app create': 'roster app create --name "Acme Portal" --redirect-uri https://portal.example.com/callback --backchannel-logout-uri https://portal.example.com/logout',
  'app list': 'roster app list',
  'domain add': 'roster domain add --org acme acme.com --verified',
  'domain list': 'roster domain list --org acme',
  'member list': 'roster member list --org acme --json\n  roster member list --org acme --status active --team Engineering --search ada',
  'member show': 'roster member show --org acme 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5',
  'member update': 'roster member update --org acme 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5 --display-name "Ada L." --avatar-url https://cdn.example.com/ada.png',
  'member set-role': 'roster member set-role --org acme 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5 --role admin',
  'member deactivate': 'roster member deactivate --org acme 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5',
  'member reactivate': 'roster member reactivate --org acme 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5',
  'member remove': 'roster member remove --org acme 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5',
  'member invite': 'roster member invite --org acme --email ada@acme.com --role admin --team "Tier 2" --json\n  roster member invite --org acme --email ada@acme.com --email grace@acme.com',
  'member import': 'roster member import --org acme --file invites.csv --json',
  'invitation list': 'roster invitation list --org acme',
  'invitation resend': 'roster invitation resend 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5 --org acme',
  'invitation revoke': 'roster invitation revoke 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5 --org acme',
  'mail list': 'roster mail list --org acme --limit 5',
  'member transfer-ownership':
    'roster member transfer-ownership --org acme --from 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5 --to 01936f15-8c2d-7e4f-9a0b-c1d2e3f4a5b6',
  'permission register': 'roster permission register tickets.delete --description "Delete tickets"',
  'permission list': 'roster permission list --json',
  'permission unregister': 'roster permission unregister tickets.delete',
  'role list': 'roster role list --org acme',
  'role create': 'roster role create --org acme --key agent --name "Support agent" --permission tickets.delete --permission teams.manage',
  'role update': 'roster role update agent --org acme --name "Senior agent" --permission tickets.delete --permission members.manage',
  'role delete': 'roster role delete agent --org acme',
  'team create': 'roster team create --org acme --name "Tier 2" --description "Escalated tickets"',
  'team list': 'roster team list --org acme --search tier',
  'team show': 'roster team show "Tier 2" --org acme',
  'team update': 'roster team update "Tier 2" --org acme --name "Tier 2 support"',
  'team delete': 'roster team delete "Tier 2" --org acme',
  'team add': 'roster team add --org acme --team "Tier 2" --member ada@acme.com --member 01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5\n  roster team add --org acme --team "Tier 2" --member lead@acme.com --role admin',
  'team remove': 'roster team remove --org acme --team "Tier 2" --member ada@acme.com',
  'team set-role': 'roster team set-role --org acme --team "Tier 2" --member ada@acme.com --role admin',
  'sign-in list': 'roster sign-in list --org acme --limit 20',
  'keys rotate': 'roster keys rotate',
  'secret rotate': 'ROSTER_SECRET="$NEW_SECRET" ROSTER_SECRET_PREVIOUS="$OLD_SECRET" roster secret rotate',
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
  { name: 'SMTP_URL', fallback: 'unset', meaning: 'smtp://user:password@host:587 or smtps://… sends email; unset, emails are written to the log' },
  { name: 'MAIL_FROM', fallback: 'Roster <roster@localhost>', meaning: 'the From address of the emails Roster sends (invitations)' },
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
