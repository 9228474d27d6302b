/**
 * Provider presets: the attribute and claim names each IdP actually sends, as a starting mapping
 * that administrators may then edit per connection.
 */
import { NAME_ID, SUB, type PresetName, type ProfileMapping } from './mapping.ts';

const XMLSOAP = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
const MS_IDENTITY = 'http://schemas.microsoft.com/identity/claims/';

/** Claim type URIs that Entra ID (and AD FS) send by default, and the LDAP OIDs of eduPerson-style IdPs. */
export const CLAIM = {
  emailAddress: `${XMLSOAP}emailaddress`,
  givenName: `${XMLSOAP}givenname`,
  surname: `${XMLSOAP}surname`,
  /** Entra puts the UPN here, which may differ from the mail address. */
  name: `${XMLSOAP}name`,
  objectId: `${MS_IDENTITY}objectidentifier`,
  tenantId: `${MS_IDENTITY}tenantid`,
  displayName: `${MS_IDENTITY}displayname`,
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  /** Sent by Entra instead of the groups claim past 150 groups: a Graph URL to fetch them from. */
  groupsLink: 'http://schemas.microsoft.com/claims/groups.link',
  oidMail: 'urn:oid:0.9.2342.19200300.100.1.3',
  oidGivenName: 'urn:oid:2.5.4.42',
  oidSurname: 'urn:oid:2.5.4.4',
  oidDisplayName: 'urn:oid:2.16.840.1.113730.3.1.241',
} as const;

/** Generic SAML: the short names admins commonly choose, then the xmlsoap URIs, then the LDAP OIDs. */
const genericSaml: ProfileMapping = {
  subject: [NAME_ID],
  email: ['email', 'mail', 'emailAddress', CLAIM.emailAddress, CLAIM.oidMail],
  // Many IdPs put the address, or a username that usually is one, in the NameID.
  emailFallback: [NAME_ID],
  emailVerified: [],
  samlEmailVerified: false,
  givenName: ['firstName', 'givenName', CLAIM.givenName, CLAIM.oidGivenName],
  familyName: ['lastName', 'surname', 'sn', CLAIM.surname, CLAIM.oidSurname],
  // The xmlsoap name comes last: Entra and AD FS put a UPN there, a poor but usable display name.
  displayName: ['displayName', 'name', CLAIM.oidDisplayName, CLAIM.displayName, CLAIM.name],
  groups: ['groups', 'memberOf', CLAIM.groups],
};

/** Generic OIDC: the standard claims of OpenID Connect Core §5.1, then the short SAML-style names. */
const genericOidc: ProfileMapping = {
  subject: [SUB],
  email: ['email', 'mail', 'emailAddress'],
  emailFallback: [],
  emailVerified: ['email_verified'],
  givenName: ['given_name', 'firstName', 'givenName'],
  familyName: ['family_name', 'lastName', 'surname', 'sn'],
  displayName: ['name', 'displayName'],
  groups: ['groups', 'memberOf'],
};

/*
 * Which SAML IdPs vouch for the address (samlEmailVerified):
 * - Google: true. The NameID is, by default, the Workspace account's primary address, in a domain
 *   the Workspace customer had to prove it owns.
 * - Entra: false. The mail attribute is editable by tenant admins and is not checked against the
 *   tenant's verified domains; Microsoft itself tells apps not to trust email claims for identity.
 * - Okta: false. Every attribute statement is an admin-written expression (any profile field), and
 *   Okta holds addresses the user never confirmed (its own OIDC tokens then say email_verified false).
 * - Generic: false; an administrator who knows better can turn it on for the connection.
 */
const SAML: Record<Exclude<PresetName, 'generic-oidc'>, ProfileMapping> = {
  'generic-saml': genericSaml,
  okta: {
    // The NameID is the Okta username, which users and admins can change. To key on the immutable
    // Okta id, set the NameID to user.getInternalProperty("id") or send it as an attribute and put
    // that attribute first here.
    subject: [NAME_ID],
    email: ['email', 'mail', 'emailAddress'],
    emailFallback: [NAME_ID],
    emailVerified: [],
    samlEmailVerified: false,
    givenName: ['firstName', 'givenName'],
    familyName: ['lastName', 'surname'],
    displayName: ['displayName', 'name'],
    groups: ['groups', 'memberOf'],
  },
  entra: {
    // The NameID depends on the requested format (UPN, pairwise, per-login), so the object id is the
    // only subject; there is deliberately no fallback to a mutable value.
    subject: [CLAIM.objectId],
    email: [CLAIM.emailAddress],
    emailFallback: [CLAIM.name],
    emailVerified: [],
    samlEmailVerified: false,
    givenName: [CLAIM.givenName],
    familyName: [CLAIM.surname],
    displayName: [CLAIM.displayName],
    groups: [CLAIM.groups],
    tenant: { attribute: CLAIM.tenantId },
  },
  google: {
    // Google offers only address-valued NameIDs, so the subject changes when the address does.
    // Prefer OIDC, whose sub never changes.
    subject: [NAME_ID],
    email: [NAME_ID],
    emailFallback: [],
    emailVerified: [],
    samlEmailVerified: true,
    // Attribute names, group membership included, are chosen by the Workspace admin.
    givenName: ['firstName', 'givenName'],
    familyName: ['lastName', 'surname'],
    displayName: ['displayName', 'name'],
    groups: ['groups'],
  },
};

const OIDC: Record<Exclude<PresetName, 'generic-saml'>, ProfileMapping> = {
  'generic-oidc': genericOidc,
  okta: {
    subject: [SUB],
    email: ['email'],
    emailFallback: [],
    // Okta's ID token may lack email_verified (userinfo has it): then the address counts as unverified.
    emailVerified: ['email_verified'],
    givenName: ['given_name'],
    familyName: ['family_name'],
    displayName: ['name'],
    groups: ['groups'],
  },
  entra: {
    // oid is the same in every app of the tenant; sub is pairwise per app. oid needs the profile scope.
    subject: ['oid', SUB],
    // The email claim is optional and mutable; preferred_username is the UPN (or whatever the user
    // signed in with) and only a fallback.
    email: ['email'],
    emailFallback: ['preferred_username'],
    // The optional claim xms_edov says whether the address's domain is verified by the tenant.
    emailVerified: ['xms_edov'],
    givenName: ['given_name'],
    familyName: ['family_name'],
    displayName: ['name'],
    groups: ['groups'],
    // openid-client accepts any tenant's issuer for the common endpoints: set `expected`.
    tenant: { attribute: 'tid' },
  },
  google: {
    // sub is never reused. hd (the Workspace domain) stays in `raw`: a domain can be renamed, so it is
    // no part of the key.
    subject: [SUB],
    email: ['email'],
    emailFallback: [],
    emailVerified: ['email_verified'],
    givenName: ['given_name'],
    familyName: ['family_name'],
    displayName: ['name'],
    // Google sends no groups claim; groups come from the Directory API.
    groups: [],
  },
};

/**
 * The mapping a preset starts from, as a fresh copy the caller may edit. `undefined` gives the generic
 * defaults; a preset of the other protocol (generic-saml for OIDC and vice versa) does too.
 */
export function presetMapping(preset: PresetName | undefined, protocol: 'saml' | 'oidc'): ProfileMapping {
  if (protocol === 'saml') {
    const key = preset === undefined || preset === 'generic-oidc' ? 'generic-saml' : preset;
    return structuredClone(SAML[key]);
  }
  const key = preset === undefined || preset === 'generic-saml' ? 'generic-oidc' : preset;
  return structuredClone(OIDC[key]);
}
