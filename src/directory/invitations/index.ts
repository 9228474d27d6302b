/**
 * Invitations: inviting members by address or CSV file, listing, resending and revoking pending
 * invitations, and the links they carry (the invitation's row is found by the hash of its token).
 */
export { hashInvitationToken, invitationLink, newInvitationToken } from './tokens.ts';
export { parseEmailAddress } from './addresses.ts';
export { INVITATION_MAIL_KIND } from './invitation-mail.ts';
export type { InvitedMember, InvitationDelivery } from './invitation-writes.ts';
export { inviteMembers, MAX_INVITATIONS_PER_REQUEST, type InviteMembersInput } from './invite.ts';
export { listPendingInvitations, MAX_PENDING_PAGE, type PendingInvitation, type PendingPage } from './pending.ts';
export { resendInvitation } from './resend.ts';
export { revokeInvitation, type RevokedInvitation } from './revoke.ts';
export { importInvitations, parseInvitationCsv, IMPORT_COLUMNS, IMPORT_RESULTS, MAX_IMPORT_ROWS, type ImportedRow, type ImportResult } from './csv-import.ts';
export { findInvitation, sendInvitationCode, acceptInvitationWithCode, type InvitationView, type InvitationLookup, type InvitationCodeAcceptance } from './accept.ts';
export { acceptInvitationAtSignIn } from './accept-sign-in.ts';
