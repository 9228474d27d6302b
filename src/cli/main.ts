/**
 * The `roster` command. Every command but `serve` (whose logs are JSON lines already) accepts
 * --json, prints its result on stdout and, on failure, one line on stderr with a non-zero exit
 * code. Commands call the same operation table as the server's control endpoint, never the HTTP app.
 *
 * Only commander and the help text load up front: the configuration, the database and the server
 * are imported by the commands that use them, so `roster --help` starts at once.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Config } from '../config.ts';
import type { OperationName } from '../admin/index.ts';
import { DIRECTORY_PROVIDER_CHOICES, environmentHelp, EXAMPLES, SUMMARY } from './help.ts';
import { formatJson, formatText } from './output.ts';
import { formatRequestLog } from './request-log-output.ts';
import { addAccessCommands } from './access-commands.ts';
import { addAuditCommands } from './audit-commands.ts';
import { addInvitationCommands } from './invitation-commands.ts';
import { addMemberCommands, addOrganizationSettingsCommands } from './member-commands.ts';
import { addSsoCommands } from './sso-commands.ts';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Runs the CLI; resolves to the process exit code. `serve` resolves only once the server stops. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let json = false;
  const fail = (code: string, message: string): number => {
    const line = message.split('\n')[0] ?? message;
    io.err(json ? JSON.stringify({ error: { code, message: line } }) : `roster: ${line}`);
    return code === 'usage' ? 2 : 1;
  };

  let config: Config | undefined;
  const loadConfig = async (): Promise<Config> => {
    const { parseConfig } = await import('../config.ts');
    return (config ??= parseConfig(io.env));
  };
  const executeOperation = async (name: OperationName, input: Record<string, unknown>): Promise<unknown> => {
    const { execute } = await import('./executor.ts');
    return execute(await loadConfig(), name, input);
  };

  const run = (
    name: OperationName,
    toInput: (opts: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>,
    hint?: (r: unknown) => string,
    text: (r: unknown, input: Record<string, unknown>) => string | Promise<string> = formatText,
  ) =>
    async (opts: Record<string, unknown>) => {
      json = opts.json === true;
      const input = await toInput(opts);
      const result = await executeOperation(name, input);
      io.out(json ? formatJson(result) : await text(result, input));
      if (!json && hint) io.err(hint(result));
    };

  const program = new Command('roster')
    .description(SUMMARY)
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
      // Usage errors get the same one-line shape as every other failure.
      outputError: (s) => {
        fail('usage', `${s.trim().replace(/^error: /, '')} (see roster --help)`);
      },
    });

  const jsonOption = () => new Option('--json', 'print machine-readable JSON');

  program
    .command('serve')
    .description('start the server (applies pending migrations first); stops on SIGTERM or SIGINT')
    .addHelpText('after', `\n${environmentHelp()}`)
    .action(async () => {
      const cfg = await loadConfig();
      const [{ startServer, StartupError, stopOnSignal }, { createLogger }, { CliError }] = await Promise.all([
        import('../server.ts'),
        import('../http/index.ts'),
        import('./executor.ts'),
      ]);
      const server = await startServer(cfg, createLogger(cfg.logLevel)).catch((error: unknown) => {
        throw error instanceof StartupError ? new CliError('startup', error.message) : error;
      });
      await stopOnSignal(server);
    });

  program.command('migrate').description('apply pending database migrations').addOption(jsonOption()).action(run('migrate', () => ({})));

  const org = program.command('org').description('manage organizations');
  org
    .command('create')
    .description('create an organization')
    .requiredOption('--slug <slug>', 'short unique name, e.g. acme')
    .requiredOption('--name <name>', 'display name, e.g. "Acme Inc"')
    .addOption(jsonOption())
    .action(run('org.create', (o) => ({ slug: o.slug, name: o.name })));
  org.command('list').description('list organizations').addOption(jsonOption()).action(run('org.list', () => ({})));

  const directory = program.command('directory').description("manage an organization's SCIM directories");
  directory
    .command('create')
    .description('create a SCIM directory and its first bearer token')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(new Option('--provider <provider>', 'identity provider').choices(DIRECTORY_PROVIDER_CHOICES).makeOptionMandatory())
    .option('--name <name>', 'display name (defaults to the provider name)')
    .addOption(jsonOption())
    .action(
      run(
        'directory.create',
        (o) => ({ org: o.org, provider: o.provider, ...(o.name === undefined ? {} : { name: o.name }) }),
        () => 'The token is shown this once only: paste it into the identity provider now.',
      ),
    );
  directory
    .command('list')
    .description("list an organization's directories")
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action(run('directory.list', (o) => ({ org: o.org })));
  directory
    .command('delete')
    .description('delete a directory and everything it holds: its tokens stop working at once')
    .argument('<id>', 'directory id')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Record<string, unknown>) => run('directory.delete', () => ({ org: o.org, directory: id }))(o));
  directory
    .command('log')
    .description("show a directory's recent SCIM requests, newest first")
    .requiredOption('--directory <id>', 'directory id')
    .option('--org <slug>', "organization slug (by default, the directory's own)")
    .option('--failed', 'only requests answered with an error (status 400 or more)')
    .option('--limit <n>', 'how many requests to show, 1 to 1000 (default 50)', wholeNumber)
    .option('--before <id|time>', 'only requests older than this entry (the next page: the last id shown) or this ISO 8601 time')
    .addOption(jsonOption())
    .action(
      run(
        'directory.log',
        (o) => ({
          directory: o.directory,
          ...(o.org === undefined ? {} : { org: o.org }),
          ...(o.failed === true ? { failed: true } : {}),
          ...(o.limit === undefined ? {} : { limit: o.limit }),
          ...(o.before === undefined ? {} : { before: o.before }),
        }),
        undefined,
        async (result, input) => formatRequestLog(result, await olderRequestsExist(result, input)),
      ),
    );

  const token = directory.command('token').description("manage a directory's SCIM bearer tokens");
  token
    .command('create')
    .description('issue another token (several may be live at once, for rotation)')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--directory <id>', 'directory id')
    .addOption(jsonOption())
    .action(
      run('directory.token.create', (o) => ({ org: o.org, directory: o.directory }), () => 'The token is shown this once only.'),
    );
  token
    .command('list')
    .description("list a directory's tokens (never the tokens themselves)")
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--directory <id>', 'directory id')
    .addOption(jsonOption())
    .action(run('directory.token.list', (o) => ({ org: o.org, directory: o.directory })));
  token
    .command('revoke')
    .description('revoke a token at once')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--directory <id>', 'directory id')
    .requiredOption('--token <id>', 'token id (from token list)')
    .addOption(jsonOption())
    .action(run('directory.token.revoke', (o) => ({ org: o.org, directory: o.directory, token: o.token })));

  const apiKey = program.command('api-key').description('manage operator API keys for the admin API');
  apiKey
    .command('create')
    .description('create an operator API key')
    .option('--name <name>', 'what the key is for')
    .addOption(jsonOption())
    .action(run('api-key.create', (o) => (o.name === undefined ? {} : { name: o.name }), () => 'The key is shown this once only.'));
  apiKey.command('list').description('list operator API keys').addOption(jsonOption()).action(run('api-key.list', () => ({})));
  apiKey
    .command('revoke')
    .description('revoke an operator API key')
    .requiredOption('--id <id>', 'key id')
    .addOption(jsonOption())
    .action(run('api-key.revoke', (o) => ({ id: o.id })));

  const tools = {
    run,
    jsonOption,
    wholeNumber,
    currentKeyId: async () => {
      const [{ withResolvedSecret }, { SecretBox }] = await Promise.all([import('../secret-file.ts'), import('../secrets/index.ts')]);
      return SecretBox.fromSecrets((await withResolvedSecret(await loadConfig())).secret).currentKeyId;
    },
  };
  addSsoCommands(program, tools);
  addAuditCommands(program, tools);
  addAccessCommands(program, tools);
  // Each area adds its commands from its own file; invitations go under `member` too.
  const member = addMemberCommands(program, tools);
  addInvitationCommands(program, member, tools);
  addOrganizationSettingsCommands(program, tools);

  /**
   * Whether a page of the request log has an older page after it: only a full page can, and a probe
   * for one entry before its last says whether it does, so the hint never leads to an empty page.
   */
  const olderRequestsExist = async (result: unknown, input: Record<string, unknown>): Promise<boolean> => {
    const entries = result as { id: string }[];
    const last = entries.at(-1);
    if (last === undefined || entries.length < ((input.limit as number | undefined) ?? DEFAULT_LOG_PAGE)) return false;
    const older = (await executeOperation('directory.log', { ...input, limit: 1, before: last.id })) as unknown[];
    return older.length > 0;
  };

  addExamples(program);

  json = argv.includes('--json');
  try {
    await program.parseAsync(helpAsFlag(argv));
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; commander has already printed its own error line.
      return error.exitCode === 0 ? 0 : 2;
    }
    // Whatever threw has loaded these modules already: importing them again costs nothing.
    const [{ ConfigError }, { CliError }] = await Promise.all([import('../config.ts'), import('./executor.ts')]);
    if (error instanceof ConfigError) return fail('config', `invalid configuration: ${error.message}`);
    if (error instanceof CliError) return fail(error.code, error.message);
    return fail('internal', (error as Error)?.message ?? String(error));
  }
}

/** The page size of `directory log` when --limit is not given (the operation's own default). */
const DEFAULT_LOG_PAGE = 50;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** `roster help directory token create` is `roster directory token create --help`, at any depth. */
function helpAsFlag(argv: string[]): string[] {
  const [node = 'node', script = 'roster', first, ...rest] = argv;
  return first === 'help' && rest.length > 0 ? [node, script, ...rest, '--help'] : argv;
}

/** Puts each command's example (help.ts) under its option list. */
function addExamples(program: Command): void {
  const visit = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      const subPath = [...path, sub.name()];
      const example = EXAMPLES[subPath.join(' ')];
      if (example !== undefined) sub.addHelpText('after', `\nExample:\n  ${example}`);
      visit(sub, subPath);
    }
  };
  visit(program, []);
}

function wholeNumber(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new InvalidArgumentError('expected a whole number');
  return Number(raw);
}
