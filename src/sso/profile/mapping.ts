/**
 * The per-connection profile mapping: where each profile field is read from. It is stored as JSON
 * on the connection and edited by administrators, so it is plain data and is parsed, with bounds,
 * every time it comes back from storage or from an edit.
 */
import { z } from 'zod';

/** A SAML mapping candidate naming the assertion's NameID rather than an attribute. */
export const NAME_ID = '$nameId';
/** An OIDC mapping candidate naming the verified `sub` claim the caller passes in. */
export const SUB = '$sub';

export type PresetName = 'okta' | 'entra' | 'google' | 'generic-saml' | 'generic-oidc';
export const PRESET_NAMES: readonly PresetName[] = Object.freeze(['okta', 'entra', 'google', 'generic-saml', 'generic-oidc']);

/**
 * Where each profile field is read from: ordered candidate attribute/claim names, first non-empty
 * wins. A candidate may also be `$nameId` (the SAML NameID) or `$sub` (the OIDC `sub` claim); the
 * one that does not belong to the protocol simply never has a value.
 */
export interface ProfileMapping {
  /** The immutable IdP subject. Never read from a transient NameID. */
  subject: string[];
  /** Addresses the verification flag speaks for. */
  email: string[];
  /**
   * Usernames that are often, but not always, an address (Entra's UPN, `preferred_username`, an
   * Okta username in the NameID). Read only when `email` has no value, taken only when they look
   * like an address, and never treated as verified.
   */
  emailFallback?: string[] | undefined;
  /** Claims/attributes saying the address in `email` was verified: boolean true or the string "true". */
  emailVerified: string[];
  /**
   * SAML only: the IdP vouches for the addresses of `email` (it sends no verification attribute).
   * Absent means false.
   */
  samlEmailVerified?: boolean | undefined;
  givenName: string[];
  familyName: string[];
  displayName: string[];
  groups: string[];
  /**
   * An extra part of the immutable key, such as Entra's tenant id. When set, the attribute must be
   * present; when `expected` is set too, its value must equal it, so that one organization's
   * connection cannot be used by another tenant of a multi-tenant app.
   */
  tenant?: { attribute: string; expected?: string | undefined } | undefined;
}

export const MAX_NAME_LENGTH = 256;
export const MAX_CANDIDATES = 20;

const name = z
  .string()
  .trim()
  .min(1, 'names must not be empty')
  .max(MAX_NAME_LENGTH, `names are at most ${MAX_NAME_LENGTH} characters`)
  .refine((n) => !n.startsWith('$') || n === NAME_ID || n === SUB, `the only special names are ${NAME_ID} and ${SUB}`);

const candidates = z.array(name).max(MAX_CANDIDATES, `at most ${MAX_CANDIDATES} names`);
const required = candidates.min(1, 'must list at least one name');

const schema = z.strictObject({
  subject: required,
  email: required,
  emailFallback: candidates.optional(),
  emailVerified: candidates,
  samlEmailVerified: z.boolean().optional(),
  givenName: candidates,
  familyName: candidates,
  displayName: candidates,
  groups: candidates,
  tenant: z
    .strictObject({
      attribute: name.refine((n) => !n.startsWith('$'), 'the tenant is read from an attribute or claim'),
      expected: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    })
    .optional(),
});

/** Validates a mapping as stored or as edited by an administrator. Names are trimmed. */
export function parseProfileMapping(json: unknown): { ok: true; value: ProfileMapping } | { ok: false; error: string } {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { ok: false, error: 'invalid mapping' };
  const path = issue.path.map(String).join('.');
  return { ok: false, error: path === '' ? issue.message : `${path}: ${issue.message}` };
}
