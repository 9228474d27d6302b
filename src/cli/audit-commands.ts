/**
 * The audit commands: read and export an organization's audit log, and read its member event
 * feed. They only shape the input and print the result; the operation table does the work.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandTools } from './sso-commands.ts';

type Input = Record<string, unknown>;

const FILTERS = ['actor', 'actorType', 'action', 'target', 'targetType', 'since', 'until'] as const;

function withFilters(command: Command): Command {
  return command
    .requiredOption('--org <slug>', 'organization slug')
    .option('--actor <id>', "only this actor's changes (a member id, an API key id, cli, a directory or connection id)")
    .option('--actor-type <type>', 'only changes by this kind of actor: member, api_key, operator, scim, connection, app, system')
    .option('--action <action>', 'only this action (member.role_changed) or family (member.*)')
    .option('--target <id>', "only changes to this target (e.g. a member's id)")
    .option('--target-type <type>', 'only changes to this kind of target (member, team, role, …)')
    .option('--since <time>', 'from this ISO 8601 time on')
    .option('--until <time>', 'before this ISO 8601 time');
}

const filterInput = (o: Input): Input => ({ org: o.org, ...Object.fromEntries(FILTERS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) });

export function addAuditCommands(program: Command, tools: CommandTools): void {
  const { run, jsonOption, wholeNumber } = tools;
  const audit = program.command('audit').description("read an organization's audit log and member event feed");

  withFilters(audit.command('list').description('show audit entries, newest first: who changed what, with before and after'))
    .option('--limit <n>', 'how many entries, 1 to 1000 (default 50)', wholeNumber)
    .addOption(jsonOption())
    .action(run('audit.list', (o) => ({ ...filterInput(o), ...(o.limit === undefined ? {} : { limit: o.limit }) })));

  withFilters(audit.command('export').description('export audit entries as CSV (to stdout, or to --output)'))
    .option('--output <file>', 'write the CSV to this file')
    .addOption(jsonOption())
    .action((o: Input) =>
      run('audit.export', () => filterInput(o), undefined, async (r) => {
        const csv = (r as { csv: string }).csv;
        if (typeof o.output !== 'string') return csv.trimEnd();
        await writeFile(o.output, csv);
        return `Wrote ${Math.max(0, csv.split('\r\n').length - 2)} entries to ${o.output}`;
      })(o),
    );

  audit
    .command('events')
    .description("read the organization's member event feed, oldest first (invited, joined, role or teams changed, deactivated, …)")
    .requiredOption('--org <slug>', 'organization slug')
    .option('--after <id>', 'only events after this event id (the last one read)')
    .option('--limit <n>', 'how many events, 1 to 1000 (default 100)', wholeNumber)
    .addOption(jsonOption())
    .action(run('member-event.list', (o) => ({ org: o.org, ...(o.after === undefined ? {} : { after: o.after }), ...(o.limit === undefined ? {} : { limit: o.limit }) })));
}
