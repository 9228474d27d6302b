/**
 * The permission, role and team commands: the app's permission catalogue, an organization's custom
 * roles, and its teams and their members. Like every command they only shape the input and print
 * the result; the operation table does the work. Teams are named by id or by name.
 */
import type { Command } from 'commander';
import { formatText } from './output.ts';
import type { CommandTools } from './sso-commands.ts';

type Input = Record<string, unknown>;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const defined = (entries: Input): Input => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));

/** A usage error: one line, exit code 2, like commander's own. */
function usage(command: Command, message: string): never {
  command.error(message, { exitCode: 2, code: 'roster.usage' });
}

/** Roles as text: their permissions as one comma-separated cell. */
function rolesText(result: unknown): string {
  const shown = (r: Input) => ({ ...r, permissions: (r.permissions as string[]).join(', ') || '-' });
  return formatText(Array.isArray(result) ? (result as Input[]).map(shown) : shown(result as Input));
}

/** A team as text: its fields, then its members as a table. */
function teamText(result: unknown): string {
  const { members, ...team } = result as Input & { members: Input[] };
  return `${formatText(team)}\n\n${formatText(members)}`;
}

export function addAccessCommands(program: Command, tools: CommandTools): void {
  const { run, jsonOption } = tools;

  const permission = program.command('permission').description("manage the app's permissions, which custom roles are made from");
  permission
    .command('register')
    .description('register an app permission, or change its description (safe to run again)')
    .argument('<key>', 'lowercase segments joined by "." or ":", e.g. tickets.delete')
    .option('--description <text>', 'what the permission allows')
    .addOption(jsonOption())
    .action((key: string, o: Input) => run('permission.register', () => defined({ key, description: o.description }))(o));
  permission
    .command('list')
    .description("list Roster's permissions and the app's registered ones")
    .addOption(jsonOption())
    .action(run('permission.list', () => ({})));
  permission
    .command('unregister')
    .description('remove an app permission (refused while a custom role grants it)')
    .argument('<key>', 'the permission key')
    .addOption(jsonOption())
    .action((key: string, o: Input) => run('permission.unregister', () => ({ key }))(o));

  const role = program.command('role').description("manage an organization's roles");
  role
    .command('list')
    .description('list built-in and custom roles with their permissions and how many members hold each')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action(run('role.list', (o) => ({ org: o.org }), undefined, rolesText));
  role
    .command('create')
    .description('create a custom role from Roster\'s permissions and the app\'s (never billing.manage)')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--key <key>', 'lowercase key members and tokens carry, e.g. agent')
    .requiredOption('--name <name>', 'display name, e.g. "Support agent"')
    .option('--description <text>', 'what the role is for')
    .option('--permission <key>', 'a permission the role grants (repeat for several)', collect)
    .addOption(jsonOption())
    .action(
      run(
        'role.create',
        (o) => defined({ org: o.org, key: o.key, name: o.name, description: o.description, permissions: o.permission ?? [] }),
        undefined,
        rolesText,
      ),
    );
  role
    .command('update')
    .description('edit a custom role; --permission replaces its permissions')
    .argument('<key>', 'the role key')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--name <name>', 'display name')
    .option('--description <text>', 'what the role is for ("" clears it)')
    .option('--permission <key>', 'a permission the role grants (repeat for several; replaces the list)', collect)
    .option('--clear-permissions', 'take every permission away from the role')
    .addOption(jsonOption())
    .action(function (this: Command, key: string, o: Input) {
      if (o.permission !== undefined && o.clearPermissions === true) usage(this, 'give --permission or --clear-permissions, not both');
      const permissions = o.clearPermissions === true ? [] : o.permission;
      const changes = defined({ name: o.name, description: o.description, permissions });
      if (Object.keys(changes).length === 0) usage(this, 'give at least one of --name, --description, --permission, --clear-permissions');
      return run('role.update', () => ({ org: o.org, key, ...changes }), undefined, rolesText)(o);
    });
  role
    .command('delete')
    .description('delete a custom role nobody holds')
    .argument('<key>', 'the role key')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((key: string, o: Input) => run('role.delete', () => ({ org: o.org, key }), undefined, rolesText)(o));

  const team = program.command('team').description("manage an organization's teams and their members");
  team
    .command('create')
    .description('create a team (names are unique ignoring case)')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--name <name>', 'team name, e.g. "Tier 2"')
    .option('--description <text>', 'what the team does')
    .addOption(jsonOption())
    .action(run('team.create', (o) => defined({ org: o.org, name: o.name, description: o.description })));
  team
    .command('list')
    .description('list teams by name with their member counts (every page)')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--search <text>', 'only teams whose name starts with this (any case)')
    .addOption(jsonOption())
    .action(run('team.list', (o) => defined({ org: o.org, search: o.search })));
  team
    .command('show')
    .description('show a team and its members with their team roles')
    .argument('<team>', 'team id or name')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((ref: string, o: Input) => run('team.show', () => ({ org: o.org, team: ref }), undefined, teamText)(o));
  team
    .command('update')
    .description('rename a team or change its description')
    .argument('<team>', 'team id or name')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'what the team does ("" clears it)')
    .addOption(jsonOption())
    .action(function (this: Command, ref: string, o: Input) {
      const changes = defined({ name: o.name, description: o.description });
      if (Object.keys(changes).length === 0) usage(this, 'give at least one of --name, --description');
      return run('team.update', () => ({ org: o.org, team: ref, ...changes }))(o);
    });
  team
    .command('delete')
    .description('delete a team; its members leave it')
    .argument('<team>', 'team id or name')
    .requiredOption('--org <slug>', 'organization slug')
    .addOption(jsonOption())
    .action((ref: string, o: Input) => run('team.delete', () => ({ org: o.org, team: ref }))(o));
  team
    .command('add')
    .description('add members to a team; each is answered added, already or not_found')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--team <team>', 'team id or name')
    .requiredOption('--member <member>', 'member id or email (repeat for several)', collect)
    .option('--role <role>', 'their team role: member (default) or admin')
    .addOption(jsonOption())
    .action(run('team.add', (o) => defined({ org: o.org, team: o.team, members: o.member, role: o.role })));
  team
    .command('remove')
    .description('take a member out of a team')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--team <team>', 'team id or name')
    .requiredOption('--member <member>', 'member id or email')
    .addOption(jsonOption())
    .action(run('team.remove', (o) => ({ org: o.org, team: o.team, member: o.member })));
  team
    .command('set-role')
    .description("make a team member the team's admin, or a plain member again")
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--team <team>', 'team id or name')
    .requiredOption('--member <member>', 'member id or email')
    .requiredOption('--role <role>', 'member or admin')
    .addOption(jsonOption())
    .action(run('team.set-role', (o) => ({ org: o.org, team: o.team, member: o.member, role: o.role })));
}
