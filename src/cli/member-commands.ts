/**
 * The member commands: list, inspect and change an organization's members. Like every command
 * they only shape the input and print the result; the operation table does the work.
 */
import type { Command } from 'commander';
import type { CommandTools } from './sso-commands.ts';

type Input = Record<string, unknown>;

/** Adds `roster member …`; returns the `member` command so that other areas can add theirs under it. */
export function addMemberCommands(program: Command, tools: CommandTools): Command {
  const { run, jsonOption } = tools;

  const member = program.command('member').description("manage an organization's members");
  member
    .command('list')
    .description("list an organization's members")
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action(run('member.list', (o) => ({ org: o.org })));
  member
    .command('deactivate')
    .description('deactivate a member: their sessions end at once and apps are sent a back-channel logout')
    .argument('<id>', 'member id (from member list)')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((id: string, o: Input) => run('member.deactivate', () => ({ org: o.org, member: id }))(o));
  return member;
}
