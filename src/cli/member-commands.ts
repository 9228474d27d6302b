/**
 * The member commands: list, inspect and change an organization's members, and the organization
 * settings they live under (seats, invitation lifetime). Like every command they only shape the
 * input and print the result; the operation table does the work.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CommandTools } from './sso-commands.ts';

type Input = Record<string, unknown>;

const STATUSES = ['invited', 'active', 'deactivated'];
const SOURCES = ['invitation', 'jit', 'scim', 'admin'];

/** `--seats 50` or `--seats unlimited` (commander cannot hold a null option value: the input maps it). */
function seatLimit(raw: string): number | 'unlimited' {
  if (raw === 'unlimited') return raw;
  if (!/^\d{1,10}$/.test(raw)) throw new InvalidArgumentError('expected a whole number of seats, or "unlimited"');
  return Number(raw);
}

function oneOf(choices: string[]) {
  return (raw: string): string => {
    if (!choices.includes(raw)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return raw;
  };
}

const defined = (entries: Record<string, unknown>): Input => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));

/** Adds `roster member …`; returns the `member` command so that other areas can add theirs under it. */
export function addMemberCommands(program: Command, tools: CommandTools): Command {
  const { run, jsonOption } = tools;

  const member = program.command('member').description("manage an organization's members");
  member
    .command('list')
    .description("list an organization's members, by email (every page)")
    .requiredOption('--org <slug>', 'organization slug')
    .option('--status <status>', `only members with this status: ${STATUSES.join(', ')}`, oneOf(STATUSES))
    .option('--role <role>', 'only members with this role (owner, admin, member, viewer or a custom role)')
    .option('--team <team>', 'only members of this team (name or id)')
    .option('--source <source>', `only members who came this way: ${SOURCES.join(', ')}`, oneOf(SOURCES))
    .option('--search <text>', 'only members whose email, name or family name starts with this (any case)')
    .addOption(jsonOption())
    .action(run('member.list', (o) => defined({ org: o.org, status: o.status, role: o.role, team: o.team, source: o.source, search: o.search })));
  member
    .command('show')
    .description('show one member: profile, role, teams, SSO identities')
    .argument('<id>', 'member id (from member list)')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('member.show', () => ({ org: o.org, member: id }))(o));
  member
    .command('update')
    .description("edit a member's profile; an empty value clears the field (the email is not changed here)")
    .argument('<id>', 'member id')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--given-name <name>', 'given name')
    .option('--family-name <name>', 'family name')
    .option('--display-name <name>', 'display name')
    .option('--avatar-url <url>', 'avatar image, an https URL')
    .addOption(jsonOption())
    .action(function (this: Command, id: string, o: Input) {
      const changes = defined({ givenName: o.givenName, familyName: o.familyName, displayName: o.displayName, avatarUrl: o.avatarUrl });
      if (Object.keys(changes).length === 0) this.error('give at least one of --given-name, --family-name, --display-name, --avatar-url', { exitCode: 2, code: 'roster.usage' });
      return run('member.update', () => ({ org: o.org, member: id, ...changes }))(o);
    });
  member
    .command('set-role')
    .description("change a member's role (only an owner's role or a new owner needs an owner)")
    .argument('<id>', 'member id')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--role <role>', 'owner, admin, member, viewer or a custom role')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('member.set-role', () => ({ org: o.org, member: id, role: o.role }))(o));
  member
    .command('deactivate')
    .description('deactivate a member: their sessions end at once and apps are sent a back-channel logout')
    .argument('<id>', 'member id (from member list)')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('member.deactivate', () => ({ org: o.org, member: id }))(o));
  member
    .command('reactivate')
    .description('reactivate a deactivated member (they take a seat again; role, teams and history are kept)')
    .argument('<id>', 'member id')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('member.reactivate', () => ({ org: o.org, member: id }))(o));
  member
    .command('remove')
    .description('remove a member for good: sessions end; invitation, identities and team memberships go; the audit log keeps who they were')
    .argument('<id>', 'member id')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('member.remove', () => ({ org: o.org, member: id }))(o));
  member
    .command('transfer-ownership')
    .description('make an active member owner; the previous owner becomes admin')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--to <id>', 'the member who becomes owner')
    .requiredOption('--from <id>', 'the owner who becomes admin')
    .addOption(jsonOption())
    .action(run('member.transfer-ownership', (o) => ({ org: o.org, to: o.to, from: o.from })));
  return member;
}

/** Adds `roster org show` and `roster org set` under the `org` command (made here if absent). */
export function addOrganizationSettingsCommands(program: Command, tools: CommandTools): void {
  const { run, jsonOption, wholeNumber } = tools;
  const org = program.commands.find((c) => c.name() === 'org') ?? program.command('org').description('manage organizations');
  org
    .command('show')
    .description("show an organization's settings and seat usage")
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action(run('org.show', (o) => ({ org: o.org })));
  org
    .command('set')
    .description("change an organization's seat limit or invitation lifetime")
    .requiredOption('--org <slug>', 'organization slug')
    .option('--seats <n>', 'seat limit: a whole number, or "unlimited" (a limit below usage blocks only new seats)', seatLimit)
    .option('--invitation-ttl-hours <n>', 'how long invitation links stay valid, 1 to 8760 hours', wholeNumber)
    .addOption(jsonOption())
    .action(function (this: Command, o: Input) {
      if (o.seats === undefined && o.invitationTtlHours === undefined) this.error('give --seats and/or --invitation-ttl-hours', { exitCode: 2, code: 'roster.usage' });
      return run('org.set', () => defined({ org: o.org, seatLimit: o.seats === 'unlimited' ? null : o.seats, invitationTtlHours: o.invitationTtlHours }))(o);
    });
}
