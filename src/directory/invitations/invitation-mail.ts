/**
 * The invitation email: who invites whom to which organization, as what, the link and when it
 * stops working. Plain text first (what the log and `roster mail list` show), HTML beside it.
 */
import type { OrganizationId } from '../../ids.ts';
import type { OutgoingMail } from '../mail/index.ts';

export const INVITATION_MAIL_KIND = 'invitation';

export interface InvitationMailInput {
  organizationId: OrganizationId;
  organizationName: string;
  /** The inviting member's name or address; undefined when an operator or a tool invites. */
  inviter: string | undefined;
  to: string;
  roleName: string;
  teams: readonly string[];
  link: string;
  expiresAt: Date;
  /** A second email for the same invitation (the earlier link no longer works). */
  resent?: boolean;
}

/** "Mon, 14 Dec 2026 10:00 UTC": unambiguous whatever the reader's locale. */
function whenText(date: Date): string {
  return `${date.toUTCString().replace(/:\d\d GMT$/, '')} UTC`;
}

export function invitationMail(input: InvitationMailInput): OutgoingMail {
  // Names are the organization's and the inviter's own words: one line each, whatever they hold.
  const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();
  const subject = `${input.inviter === undefined ? 'You are invited' : `${oneLine(input.inviter)} invited you`} to join ${oneLine(input.organizationName)}`;
  const teams = input.teams.length === 0 ? '' : ` in ${input.teams.length === 1 ? 'the team' : 'the teams'} ${input.teams.join(', ')}`;
  const invited = `${subject} as ${input.roleName}${teams}.`;
  const expires = `The link works once and expires on ${whenText(input.expiresAt)}.`;
  const replaced = input.resent ? ' It replaces the link of any earlier invitation email, which no longer works.' : '';
  const ignore = 'If you did not expect this invitation, you can ignore this email.';
  const text = [invited, '', `Accept the invitation: ${input.link}`, '', `${expires}${replaced}`, ignore, ''].join('\n');
  const html = [
    '<!DOCTYPE html><html><body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(invited)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">Accept the invitation</a></p>`,
    `<p>${escapeHtml(expires + replaced)}<br>${escapeHtml(ignore)}</p>`,
    `<p style="color: #666; font-size: smaller">If the button does not work, open this address: ${escapeHtml(input.link)}</p>`,
    '</body></html>',
  ].join('\n');
  return { organizationId: input.organizationId, kind: INVITATION_MAIL_KIND, to: input.to, subject, text, html };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}
