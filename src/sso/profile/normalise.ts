/**
 * Turns what an IdP sent into Roster's normalised profile, through the connection's mapping. Both
 * protocols share one path once their input is in the same shape; only where the subject, the
 * verification of the address and the group overage come from differs.
 */
import type { ProfileMapping } from './mapping.ts';
import { CLAIM } from './presets.ts';
import { attributeValues, boundedRaw, claimValues, cut, Lookup, MAX_VALUE_LENGTH, type Values } from './values.ts';

export interface NormalisedProfile {
  /** The immutable IdP subject; with `tenant` (when the mapping has one) and the issuer, the key of the user. */
  subject: string;
  /** The value of the mapping's tenant attribute, already checked against `expected`; undefined without one. */
  tenant: string | undefined;
  /** As sent, trimmed; the case is kept (the caller compares the domain case-insensitively). */
  email: string;
  emailVerified: boolean;
  givenName: string | undefined;
  familyName: string | undefined;
  displayName: string | undefined;
  /** De-duplicated, in the order sent, at most MAX_GROUPS. */
  groups: string[];
  /**
   * The IdP left groups out (Entra past 150 SAML / 200 JWT groups) or sent more than MAX_GROUPS:
   * `groups` is incomplete and must not be read as "member of nothing else".
   */
  groupsOverage: boolean;
  /** Everything sent, as strings, bounded (see values.ts). */
  raw: Record<string, string[]>;
  /** Something was left out of `raw` to keep it within its bounds. */
  rawTruncated: boolean;
}

/*
 * Group overage is reported, not refused. Refusing would lock out exactly the users in the most
 * groups (often the administrators), and the only remedies are on the IdP side (group filtering) or a
 * Graph call Roster does not make. A sign-in needs no groups to prove who someone is; what depends
 * on groups reads `groupsOverage` and keeps what it knew rather than removing access.
 */
export type ProfileRefusal = 'missing_subject' | 'missing_email' | 'invalid_email' | 'wrong_tenant';

export type ProfileResult = { ok: true; value: NormalisedProfile } | { ok: false; reason: ProfileRefusal; detail: string };

export const MAX_GROUPS = 1000;
export const MAX_SUBJECT_LENGTH = 1024;
/** RFC 5321's limits (64 + @ + 255) rounded up as is customary. */
export const MAX_EMAIL_LENGTH = 320;

const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/**
 * A SAML sign-in's profile, from the verified assertion's NameID (and its format) and attributes.
 * `$nameId` in the mapping reads the NameID; Entra's groups.link marks a group overage.
 */
export function normaliseSamlProfile(
  mapping: ProfileMapping,
  input: { nameId: string; nameIdFormat: string | undefined; attributes: Record<string, string[]> },
): ProfileResult {
  // A transient NameID is new on every sign-in: as a subject it would make a new user each time.
  const transient = input.nameIdFormat === TRANSIENT;
  const values = attributeValues(input.attributes);
  const lookup = new Lookup(values, { nameId: transient ? undefined : input.nameId });
  return normalise(mapping, lookup, values, {
    verified: (email) => verifiedFlag(lookup, mapping, email) || (!email.fromFallback && mapping.samlEmailVerified === true),
    groupsOverage: lookup.first([CLAIM.groupsLink]) !== undefined,
    subjectNote: transient ? ' (the NameID is transient, so it cannot be the subject)' : '',
  });
}

/**
 * An OIDC sign-in's profile, from the validated ID token's claims; `subject` is its `sub`, read by
 * `$sub` in the mapping (the issuer is the caller's part of the key). A groups claim named in
 * `_claim_names` marks a group overage.
 */
export function normaliseOidcProfile(mapping: ProfileMapping, input: { subject: string; claims: Record<string, unknown> }): ProfileResult {
  const values = claimValues(input.claims);
  const lookup = new Lookup(values, { sub: input.subject });
  return normalise(mapping, lookup, values, {
    verified: (email) => verifiedFlag(lookup, mapping, email),
    groupsOverage: distributedGroups(input.claims, mapping.groups),
    subjectNote: '',
  });
}

/** OIDC Core §5.6.2: a claim named in `_claim_names` was left out of the token (Entra past 200 groups). */
function distributedGroups(claims: Record<string, unknown>, groups: readonly string[]): boolean {
  const names = claims['_claim_names'];
  if (typeof names !== 'object' || names === null || Array.isArray(names)) return false;
  return groups.some((g) => Object.hasOwn(names, g));
}

/** The verification claim speaks only for the addresses of `email`, never for a fallback username. */
function verifiedFlag(lookup: Lookup, mapping: ProfileMapping, email: { fromFallback: boolean }): boolean {
  return !email.fromFallback && lookup.first(mapping.emailVerified)?.value === 'true';
}

interface ProtocolParts {
  verified(email: { fromFallback: boolean }): boolean;
  groupsOverage: boolean;
  subjectNote: string;
}

const refuse = (reason: ProfileRefusal, detail: string): ProfileResult => ({ ok: false, reason, detail });
const listed = (names: readonly string[]) => (names.length === 0 ? 'no names' : names.map((n) => `"${n}"`).join(', '));

function normalise(mapping: ProfileMapping, lookup: Lookup, values: Values, protocol: ProtocolParts): ProfileResult {
  // Trimmed: whitespace around a value is an artefact of pretty-printed XML, never part of an id.
  const subject = lookup.first(mapping.subject);
  if (subject === undefined) return refuse('missing_subject', `none of ${listed(mapping.subject)} has a value${protocol.subjectNote}`);
  // Never cut: two long subjects with a common prefix would become one user.
  if (subject.value.length > MAX_SUBJECT_LENGTH) {
    return refuse('missing_subject', `"${subject.name}" is longer than ${MAX_SUBJECT_LENGTH} characters`);
  }

  let tenant: string | undefined;
  if (mapping.tenant !== undefined) {
    const { attribute, expected } = mapping.tenant;
    tenant = lookup.first([attribute])?.value;
    if (tenant === undefined) return refuse('wrong_tenant', `the tenant attribute "${attribute}" is missing`);
    if (expected !== undefined && !sameTenant(tenant, expected)) {
      return refuse('wrong_tenant', `tenant "${cut(tenant)}" is not the expected "${expected}"`);
    }
  }

  const email = readEmail(lookup, mapping);
  if (!email.ok) return email.refusal;

  const groups = readGroups(lookup, mapping.groups);
  const { raw, truncated } = boundedRaw(values);
  return {
    ok: true,
    value: {
      subject: subject.value,
      tenant,
      email: email.value,
      emailVerified: protocol.verified(email),
      givenName: text(lookup, mapping.givenName),
      familyName: text(lookup, mapping.familyName),
      displayName: text(lookup, mapping.displayName),
      groups: groups.list,
      groupsOverage: protocol.groupsOverage || groups.cut,
      raw,
      rawTruncated: truncated,
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Exact, except that ids in UUID form (Entra's tid) compare case-insensitively: admins paste either case. */
function sameTenant(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  return UUID.test(actual) && UUID.test(expected) && actual.toLowerCase() === expected.toLowerCase();
}

/** One @ with something either side, no whitespace or control characters, at most 320 characters. */
export function looksLikeEmail(value: string): boolean {
  if (value.length > MAX_EMAIL_LENGTH) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return false;
  const at = value.indexOf('@');
  return at > 0 && at === value.lastIndexOf('@') && at < value.length - 1;
}

type EmailRead = { ok: true; value: string; fromFallback: boolean } | { ok: false; refusal: ProfileResult };

function readEmail(lookup: Lookup, mapping: ProfileMapping): EmailRead {
  const primary = lookup.first(mapping.email);
  if (primary !== undefined) {
    // A malformed address is refused, not skipped for a fallback: that would hide a broken mapping.
    if (!looksLikeEmail(primary.value)) {
      return { ok: false, refusal: refuse('invalid_email', `"${primary.name}" does not hold an email address`) };
    }
    return { ok: true, value: primary.value, fromFallback: false };
  }
  const fallback = mapping.emailFallback ?? [];
  for (const name of fallback) {
    const found = lookup.first([name]);
    if (found !== undefined && looksLikeEmail(found.value)) return { ok: true, value: found.value, fromFallback: true };
  }
  const names = [...mapping.email, ...fallback];
  return { ok: false, refusal: refuse('missing_email', `none of ${listed(names)} has an email address`) };
}

function text(lookup: Lookup, candidates: readonly string[]): string | undefined {
  const found = lookup.first(candidates);
  return found === undefined ? undefined : cut(found.value);
}

/** The first candidate with any value gives the groups; values are trimmed and de-duplicated in order. */
function readGroups(lookup: Lookup, candidates: readonly string[]): { list: string[]; cut: boolean } {
  const found = lookup.first(candidates);
  if (found === undefined) return { list: [], cut: false };
  const seen = new Set<string>();
  let dropped = false;
  for (const v of lookup.values(found.name)) {
    const group = v.trim();
    if (group === '' || seen.has(group)) continue;
    // A cut group name would be another group's name, so too long a name is left out, and said so.
    if (group.length > MAX_VALUE_LENGTH || seen.size === MAX_GROUPS) {
      dropped = true;
      continue;
    }
    seen.add(group);
  }
  return { list: [...seen], cut: dropped };
}
