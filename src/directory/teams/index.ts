/** Teams: named groups of members, with team-scoped admins. */
export {
  createTeam,
  deleteTeam,
  getTeam,
  listTeams,
  teamNameKey,
  updateTeam,
  MAX_TEAM_PAGE,
  TEAM_ROLES,
  type Team,
  type TeamMember,
  type TeamPosition,
  type TeamWithMembers,
} from './teams.ts';
export * from './memberships.ts';
