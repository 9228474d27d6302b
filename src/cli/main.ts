/**
 * The `roster` command. Every command accepts --json, prints its result on stdout and, on failure,
 * one line on stderr with a non-zero exit code. Commands call the same operation table as the
 * server's control endpoint, never the HTTP app.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, parseConfig, type Config } from '../config.ts';
import { DIRECTORY_PROVIDERS } from '../directory/index.ts';
import { createLogger } from '../http/index.ts';
import { startServer, StartupError } from '../server.ts';
import type { OperationName } from '../admin/index.ts';
import { CliError, execute } from './executor.ts';
import { formatJson, formatText } from './output.ts';
import { formatRequestLog } from './request-log-output.ts';

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
  const loadConfig = (): Config => (config ??= parseConfig(io.env));

  const run = (
    name: OperationName,
    toInput: (opts: Record<string, unknown>) => Record<string, unknown>,
    hint?: (r: unknown) => string,
    text: (r: unknown) => string = formatText,
  ) =>
    async (opts: Record<string, unknown>) => {
      json = opts.json === true;
      const result = await execute(loadConfig(), name, toInput(opts));
      io.out(json ? formatJson(result) : text(result));
      if (!json && hint) io.err(hint(result));
    };

  const program = new Command('roster')
    .description('Roster: SCIM 2.0 and SSO provisioning for B2B SaaS. Configure with environment variables (see README).')
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
    .description('start the server (applies pending migrations first)')
    .action(async () => {
      const cfg = loadConfig();
      const server = await startServer(cfg, createLogger(cfg.logLevel));
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          server.close().then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
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
    .addOption(new Option('--provider <provider>', 'identity provider').choices(DIRECTORY_PROVIDERS).makeOptionMandatory())
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
        formatRequestLog,
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

  json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; commander has already printed its own error line.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ConfigError) return fail('config', `invalid configuration: ${error.message}`);
    if (error instanceof StartupError) return fail('startup', error.message);
    if (error instanceof CliError) return fail(error.code, error.message);
    return fail('internal', (error as Error)?.message ?? String(error));
  }
}

function wholeNumber(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new InvalidArgumentError('expected a whole number');
  return Number(raw);
}
