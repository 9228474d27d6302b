/**
 * The SSO commands: connections, apps, domains, the sign-in log, signing keys and the
 * master secret. Like every command they only shape the input and print the result; the operation
 * table (src/admin/operations.ts) does the work, here or in the running server.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { OperationName } from '../admin/index.ts';
import { PRESET_CHOICES, SECRET_ROTATION_HELP } from './help.ts';
import { formatText } from './output.ts';

type Input = Record<string, unknown>;

/** What main.ts lends these commands: its runner (printing, errors, --json) and its helpers. */
export interface CommandTools {
  run: (
    name: OperationName,
    toInput: (opts: Input) => Input | Promise<Input>,
    hint?: (result: unknown) => string,
    text?: (result: unknown, input: Input) => string | Promise<string>,
  ) => (opts: Input) => Promise<void>;
  jsonOption: () => Option;
  wholeNumber: (raw: string) => number;
  /** The key id of the ROSTER_SECRET this process was started with (see `secret rotate`). */
  currentKeyId: () => Promise<string>;
}

const SAML_OPTIONS = {
  metadataFile: '--metadata-file',
  metadataUrl: '--metadata-url',
  idpEntityId: '--idp-entity-id',
  ssoUrl: '--sso-url',
  certificateFile: '--certificate-file',
  allowIdpInitiated: '--allow-idp-initiated',
} as const;
const OIDC_OPTIONS = {
  issuer: '--issuer',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  clientSecretFile: '--client-secret-file',
  scopes: '--scopes',
  tokenAuth: '--token-auth',
} as const;

/** A usage error: one line, exit code 2, like commander's own. */
function usage(command: Command, message: string): never {
  command.error(message, { exitCode: 2, code: 'roster.usage' });
}

const given = (o: Input, options: Record<string, string>) => Object.entries(options).filter(([key]) => o[key] !== undefined);

async function connectionInput(o: Input, command: Command): Promise<Input> {
  const type = o.type as 'saml' | 'oidc';
  const foreign = given(o, type === 'saml' ? OIDC_OPTIONS : SAML_OPTIONS).map(([, flag]) => flag);
  if (foreign.length > 0) usage(command, `${foreign.join(', ')} ${foreign.length === 1 ? 'applies' : 'apply'} to --type ${type === 'saml' ? 'oidc' : 'saml'} only`);
  const preset = o.preset as string | undefined;
  if ((preset === 'generic-oidc' && type === 'saml') || (preset === 'generic-saml' && type === 'oidc')) {
    usage(command, `--preset ${preset} is for --type ${type === 'saml' ? 'oidc' : 'saml'} connections`);
  }
  const common = { org: o.org, type, ...(o.name === undefined ? {} : { name: o.name }), ...(preset === undefined ? {} : { preset }) };

  if (type === 'saml') {
    const manual = given(o, { idpEntityId: '--idp-entity-id', ssoUrl: '--sso-url', certificateFile: '--certificate-file' });
    const sources = given(o, { metadataFile: '--metadata-file', metadataUrl: '--metadata-url' }).length + (manual.length > 0 ? 1 : 0);
    if (sources !== 1) {
      usage(command, '--type saml needs the IdP: one of --metadata-file <file>, --metadata-url <url>, or --idp-entity-id, --sso-url and --certificate-file');
    }
    if (manual.length > 0 && manual.length < 3) usage(command, 'without metadata, give all of --idp-entity-id, --sso-url and --certificate-file');
    const source =
      manual.length === 3
        ? { idpEntityId: o.idpEntityId, ssoUrl: o.ssoUrl, certificates: await readCertificateFiles(o.certificateFile as string[]) }
        : o.metadataFile === undefined
          ? { metadataUrl: o.metadataUrl }
          : { metadataXml: await readMetadataFile(o.metadataFile as string) };
    return {
      ...common,
      ...source,
      ...(o.allowIdpInitiated === true ? { allowIdpInitiated: true } : {}),
    };
  }

  if (o.clientSecret !== undefined && o.clientSecretFile !== undefined) usage(command, 'give --client-secret or --client-secret-file, not both');
  // A secret in a file stays out of the process list and the shell history.
  if (o.clientSecretFile !== undefined) o = { ...o, clientSecret: await readSecretFile(o.clientSecretFile as string) };
  const missing = Object.entries({ issuer: '--issuer', clientId: '--client-id', clientSecret: '--client-secret' }).filter(([key]) => o[key] === undefined);
  if (missing.length > 0) usage(command, `--type oidc needs ${missing.map(([, flag]) => flag).join(', ')}`);
  const scopes = o.scopes === undefined ? undefined : (o.scopes as string).split(/[\s,]+/).filter(Boolean);
  if (scopes !== undefined && scopes.length === 0) usage(command, '--scopes is empty (e.g. --scopes "openid email profile")');
  return {
    ...common,
    issuer: o.issuer,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    ...(scopes === undefined ? {} : { scopes }),
    ...(o.tokenAuth === undefined ? {} : { tokenEndpointAuthMethod: `client_secret_${o.tokenAuth as string}` }),
  };
}

/** The CLI reads the metadata file itself: the command may run in a server that cannot see the file. */
async function readMetadataFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const { CliError } = await import('./executor.ts');
    throw new CliError('invalid_input', `cannot read --metadata-file ${file}: ${(error as Error).message}`);
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function readSecretFile(file: string): Promise<string> {
  const { CliError } = await import('./executor.ts');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('invalid_input', `cannot read --client-secret-file ${file}: ${(error as Error).message}`);
  }
  const secret = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (secret === '') throw new CliError('invalid_input', `--client-secret-file ${file} is empty`);
  return secret;
}

async function readJsonFile(file: string): Promise<unknown> {
  const { CliError } = await import('./executor.ts');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('invalid_input', `cannot read --mapping-file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError('invalid_input', `--mapping-file ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** Certificate files (PEM) read by the CLI, like metadata: the command may run in a server that cannot see them. */
async function readCertificateFiles(files: string[]): Promise<string[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        const { CliError } = await import('./executor.ts');
        throw new CliError('invalid_input', `cannot read --certificate-file ${file}: ${(error as Error).message}`);
      }
    }),
  );
}

export function addSsoCommands(program: Command, tools: CommandTools): void {
  const { run, jsonOption, wholeNumber } = tools;

  const connection = program.command('connection').description("manage an organization's SSO connections (SAML or OpenID Connect)");
  connection
    .command('create')
    .description("connect an organization's identity provider; prints the URLs to enter at the IdP")
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(new Option('--type <type>', 'protocol').choices(['saml', 'oidc']).makeOptionMandatory())
    .addOption(new Option('--preset <preset>', 'IdP preset: how its attributes or claims are read').choices(PRESET_CHOICES))
    .option('--name <name>', 'display name (defaults to the IdP entity ID or issuer)')
    .option('--metadata-file <file>', 'SAML: the IdP metadata XML, from a file')
    .option('--metadata-url <url>', 'SAML: the IdP metadata URL (https unless ALLOW_INSECURE_IDP_URLS=true)')
    .option('--idp-entity-id <id>', 'SAML without metadata: the IdP entity ID (issuer)')
    .option('--sso-url <url>', 'SAML without metadata: the IdP sign-on URL (HTTP-Redirect binding)')
    .option('--certificate-file <file>', 'SAML without metadata: an IdP signing certificate, PEM (repeat for several)', collect)
    .option('--allow-idp-initiated', 'SAML: accept sign-ins started at the IdP (no AuthnRequest to answer)')
    .option('--issuer <url>', 'OIDC: the issuer URL; discovery is read from it (https unless ALLOW_INSECURE_IDP_URLS=true)')
    .option('--client-id <id>', 'OIDC: the client id registered at the IdP')
    .option('--client-secret <secret>', 'OIDC: the client secret registered at the IdP (stored sealed; visible in the process list)')
    .option('--client-secret-file <file>', 'OIDC: the client secret, read from a file (its first line)')
    .option('--scopes <scopes>', 'OIDC: scopes to request, space-separated (default "openid email profile")')
    .addOption(new Option('--token-auth <method>', 'OIDC: how the client authenticates at the token endpoint (default basic)').choices(['basic', 'post']))
    .addOption(jsonOption())
    .action((o: Input, command: Command) =>
      run(
        'connection.create',
        () => connectionInput(o, command),
        (r) =>
          (r as { type: string }).type === 'saml'
            ? "Enter the ACS URL and the SP entity ID at the IdP (or give it the SP metadata URL)."
            : 'Register the redirect URI at the IdP as the client\'s sign-in redirect (callback) URI.',
      )(o),
    );
  connection
    .command('update')
    .description('change a connection in place (its URLs and SP key pair stay: nothing changes at the IdP)')
    .argument('<id>', 'connection id')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--name <name>', 'display name')
    .option('--certificate-file <file>', 'SAML: the IdP signing certificates to trust from now on, PEM (repeat: old and new during a rotation)', collect)
    .addOption(new Option('--allow-idp-initiated <yes|no>', 'SAML: accept sign-ins started at the IdP').choices(['yes', 'no']))
    .option('--mapping-file <file>', 'the attribute/claim mapping as JSON (start from `connection list --json`)')
    .addOption(jsonOption())
    .action((id: string, o: Input) =>
      run('connection.update', async () => ({
        org: o.org,
        id,
        ...(o.name === undefined ? {} : { name: o.name }),
        ...(o.certificateFile === undefined ? {} : { certificates: await readCertificateFiles(o.certificateFile as string[]) }),
        ...(o.allowIdpInitiated === undefined ? {} : { allowIdpInitiated: o.allowIdpInitiated === 'yes' }),
        ...(o.mappingFile === undefined ? {} : { mapping: await readJsonFile(o.mappingFile as string) }),
      }))(o),
    );
  connection
    .command('list')
    .description("list an organization's connections and their URLs (never their secrets)")
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action(run('connection.list', (o) => ({ org: o.org })));

  const app = program.command('app').description('manage the apps that sign people in through Roster (OpenID Connect clients)');
  app
    .command('create')
    .description('register an app; prints its client id and secret, and the issuer it discovers Roster at')
    .requiredOption('--name <name>', 'display name, shown on sign-in pages')
    .requiredOption('--redirect-uri <uri>', 'a sign-in callback URI of the app (repeat for several; http only on loopback)', collect)
    .option('--post-logout-redirect-uri <uri>', 'where the app may send people after signing out (repeatable)', collect)
    .option('--backchannel-logout-uri <uri>', 'where Roster POSTs a logout token when a member is signed out or deactivated')
    .option('--initiate-login-uri <uri>', 'where a sign-in begun at the IdP sends the person, for the app to start its own (OIDC third-party-initiated login)')
    .addOption(jsonOption())
    .action(
      run(
        'app.create',
        (o) => ({
          name: o.name,
          redirectUris: o.redirectUri,
          ...(o.postLogoutRedirectUri === undefined ? {} : { postLogoutRedirectUris: o.postLogoutRedirectUri }),
          ...(o.backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri: o.backchannelLogoutUri }),
          ...(o.initiateLoginUri === undefined ? {} : { initiateLoginUri: o.initiateLoginUri }),
        }),
        () => 'The client secret is shown this once only: put it in the app\'s configuration now.',
      ),
    );
  app.command('list').description('list registered apps (never their secrets)').addOption(jsonOption()).action(run('app.list', () => ({})));

  const domain = program.command('domain').description("manage an organization's email domains (sign-in routing by email address)");
  domain
    .command('add')
    .description('add an email domain; a verified one routes sign-ins of its addresses to the organization')
    .argument('<domain>', 'the domain, e.g. acme.com')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--verified', 'the operator vouches that the organization owns it (one organization per verified domain)')
    .addOption(jsonOption())
    .action((name: string, o: Input) =>
      run('domain.add', () => ({ org: o.org, domain: name, ...(o.verified === true ? { verified: true } : {}) }))(o),
    );
  domain
    .command('list')
    .description("list an organization's domains")
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action(run('domain.list', (o) => ({ org: o.org })));

  const signIn = program.command('sign-in').description("read an organization's sign-in log");
  signIn
    .command('list')
    .description('show recent sign-in attempts, newest first, with the reason of each failure (--json adds the detail)')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--limit <n>', 'how many attempts to show, 1 to 1000 (default 50)', wholeNumber)
    .addOption(jsonOption())
    .action(
      run(
        'sign-in.list',
        (o) => ({ org: o.org, ...(o.limit === undefined ? {} : { limit: o.limit }) }),
        undefined,
        (r) => formatText((r as Input[]).map(({ detail: _detail, ...rest }) => rest)),
      ),
    );

  const keys = program.command('keys').description("manage the keys Roster's OpenID Provider signs tokens with");
  keys
    .command('rotate')
    .description('make a new signing key the active one; the previous key stays published until the tokens it signed expire')
    .addOption(jsonOption())
    .action(
      run('keys.rotate', () => ({}), (r) => {
        const until = (r as { previousPublishedUntil: string | null }).previousPublishedUntil;
        return `Running servers sign with the new key within 30 seconds${until === null ? '.' : `; the previous key stays published until ${until}.`}`;
      }),
    );

  const secret = program.command('secret').description('manage ROSTER_SECRET, the master key sealing secrets at rest');
  secret
    .command('rotate')
    .description('re-seal every secret at rest under ROSTER_SECRET, opening them with ROSTER_SECRET_PREVIOUS')
    .addHelpText('after', `\n${SECRET_ROTATION_HELP}`)
    .addOption(jsonOption())
    .action(
      run(
        'secret.rotate',
        async () => ({ keyId: await tools.currentKeyId() }),
        () => 'Everything is sealed with ROSTER_SECRET now: remove ROSTER_SECRET_PREVIOUS and restart the servers.',
      ),
    );
}
