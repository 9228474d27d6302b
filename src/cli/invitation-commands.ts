/**
 * Invitations and email: `member invite` and `member import` (under `member`), `invitation
 * list|resend|revoke`, and `mail list` to read what Roster sent or, without SMTP_URL, would have
 * sent. Like every command they only shape the input and print the result.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandTools } from './sso-commands.ts';

type Input = Record<string, unknown>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function readCsvFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const { CliError } = await import('./executor.ts');
    throw new CliError('invalid_input', `cannot read --file ${file}: ${(error as Error).message}`);
  }
}

/** `member import` without --json: the rows that were not invited, and the counts. */
function importSummary(result: unknown): string {
  const rows = result as { result: string }[];
  const invited = rows.filter((r) => r.result === 'invited').length;
  return `${invited} invited, ${rows.length - invited} not (see the result and detail of each row)`;
}

/** `mail list` without --json: each email as a reader sees it, newest first. */
function formatMails(result: unknown): string {
  const mails = result as { id: string; to: string; kind: string; subject: string; text: string; createdAt: string; sentAt: string | null; sentVia: string | null }[];
  if (mails.length === 0) return '(none)';
  return mails
    .map((m) =>
      [
        `${m.createdAt}  ${m.kind}  ${m.id}  ${m.sentAt === null ? 'not sent yet' : `sent via ${m.sentVia} at ${m.sentAt}`}`,
        `To: ${m.to}`,
        `Subject: ${m.subject}`,
        '',
        m.text.trimEnd(),
      ].join('\n'),
    )
    .join('\n\n----\n\n');
}

/** Adds `member invite|import` under `member`, and `invitation …` and `mail …` at the top. */
export function addInvitationCommands(program: Command, member: Command, tools: CommandTools): void {
  const { run, jsonOption, wholeNumber } = tools;

  member
    .command('invite')
    .description('invite people by email: all of them or none (each gets a link that expires after the invitation lifetime)')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--email <address>', 'address to invite (repeat for several)', collect)
    .option('--role <role>', 'their role: owner, admin, member, viewer or a custom role', 'member')
    .option('--team <name>', 'an existing team they join (repeat for several)', collect)
    .addOption(jsonOption())
    .action(
      run(
        'member.invite',
        (o) => {
          const emails = o.email as string[];
          return { org: o.org, email: emails.length === 1 ? emails[0] : emails, role: o.role, ...(o.team === undefined ? {} : { teams: o.team }) };
        },
        () => 'The invitation email is on its way (without SMTP_URL it is written to the server log: roster mail list shows it).',
      ),
    );
  member
    .command('import')
    .description('invite people from a CSV file (columns email, role, teams; header row first; teams separated by ;), row by row')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--file <path>', 'the CSV file')
    .addOption(jsonOption())
    .action(run('member.import', async (o) => ({ org: o.org, csv: await readCsvFile(o.file as string) }), importSummary));

  const invitation = program.command('invitation').description("manage an organization's pending invitations");
  invitation
    .command('list')
    .description('list pending invitations, newest first, with their expiry')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--limit <n>', 'how many to show, 1 to 200 (default 50)', wholeNumber)
    .option('--after <id>', 'the next page: invitations older than this member id (the last one shown)')
    .addOption(jsonOption())
    .action(run('invitation.list', (o) => ({ org: o.org, ...(o.limit === undefined ? {} : { limit: o.limit }), ...(o.after === undefined ? {} : { after: o.after }) })));
  invitation
    .command('resend')
    .description('email a new link with a new expiry; the previous link stops working')
    .argument('<id>', 'the invited member id (from invitation list)')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('invitation.resend', () => ({ org: o.org, member: id }))(o));
  invitation
    .command('revoke')
    .description('revoke an invitation: the invited member is removed and the link stops working')
    .argument('<id>', 'the invited member id (from invitation list)')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('invitation.revoke', () => ({ org: o.org, member: id }))(o));

  const mail = program.command('mail').description('the emails Roster sends');
  mail
    .command('list')
    .description('show the newest emails with their text (operators only: they hold live links)')
    .option('--org <slug>', "only this organization's emails")
    .option('--limit <n>', 'how many to show, 1 to 500 (default 20)', wholeNumber)
    .addOption(jsonOption())
    .action(run('mail.list', (o) => ({ ...(o.org === undefined ? {} : { org: o.org }), ...(o.limit === undefined ? {} : { limit: o.limit }) }), undefined, formatMails));
}
