/**
 * Invitation links. The emailed link carries 32 random bytes (base64url); only the SHA-256 hash of
 * that token is stored, so neither a database dump nor a log of the table opens an invitation.
 * Whoever serves the link finds the invitation by `hashInvitationToken(token)`.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A fresh invitation token: what the link carries, shown nowhere but in the email. */
export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What `invitations.token_hash` holds for a token: base64url(SHA-256(token)). */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The link an invited person follows: `${publicUrl}/invitations/${token}`. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/invitations/${token}`;
}
