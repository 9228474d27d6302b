import { describe, expect, it } from 'vitest';
import { normaliseOidcProfile, normaliseSamlProfile, presetMapping } from '../../../src/sso/profile/index.ts';

const saml = (attributes: Record<string, string[]>, nameId = 'opaque-id-1', nameIdFormat?: string) =>
  normaliseSamlProfile(presetMapping(undefined, 'saml'), { nameId, nameIdFormat, attributes });

const value = <T>(result: { ok: true; value: T } | { ok: false; reason: string; detail: string }): T => {
  if (!result.ok) throw new Error(`refused: ${result.reason}: ${result.detail}`);
  return result.value;
};

describe('generic SAML defaults', () => {
  it('read the short names admins commonly choose', () => {
    expect(value(saml({ mail: ['a@example.com'], givenName: ['Ada'], sn: ['Lovelace'], name: ['Ada L.'], memberOf: ['cn=staff'] }))).toMatchObject({
      subject: 'opaque-id-1',
      email: 'a@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      displayName: 'Ada L.',
      groups: ['cn=staff'],
    });
    expect(value(saml({ emailAddress: ['a@example.com'], firstName: ['Ada'], lastName: ['Lovelace'], displayName: ['Ada'] }))).toMatchObject({
      email: 'a@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      displayName: 'Ada',
    });
  });

  it('read the xmlsoap claim URIs (AD FS, Entra without a preset)', () => {
    const profile = value(
      saml({
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': ['a@example.com'],
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': ['Ada'],
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': ['Lovelace'],
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': ['ada@example.com'],
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['g1', 'g2'],
      }),
    );
    expect(profile).toMatchObject({ email: 'a@example.com', givenName: 'Ada', familyName: 'Lovelace', displayName: 'ada@example.com', groups: ['g1', 'g2'] });
  });

  it('read the oasis LDAP OIDs (Shibboleth-style IdPs)', () => {
    const profile = value(
      saml({
        'urn:oid:0.9.2342.19200300.100.1.3': ['a@example.com'],
        'urn:oid:2.5.4.42': ['Ada'],
        'urn:oid:2.5.4.4': ['Lovelace'],
        'urn:oid:2.16.840.1.113730.3.1.241': ['Ada Lovelace'],
      }),
    );
    expect(profile).toMatchObject({ email: 'a@example.com', givenName: 'Ada', familyName: 'Lovelace', displayName: 'Ada Lovelace' });
  });

  it('match names case-insensitively when no exact name is sent, the exact one first when both are', () => {
    expect(value(saml({ EMAIL: ['a@example.com'], FirstName: ['Ada'], 'HTTP://schemas.xmlsoap.org/ws/2005/05/identity/claims/Surname': ['L'] }))).toMatchObject({
      email: 'a@example.com',
      givenName: 'Ada',
      familyName: 'L',
    });
    expect(value(saml({ Email: ['upper@example.com'], email: ['exact@example.com'] })).email).toBe('exact@example.com');
  });

  it('take an address-shaped NameID as an unverified address when no attribute has one', () => {
    const profile = value(saml({}, 'ada@example.com', 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'));
    expect(profile).toMatchObject({ subject: 'ada@example.com', email: 'ada@example.com', emailVerified: false });
  });

  it('trim values, skip empty ones, and keep the case of the address', () => {
    const profile = value(saml({ email: ['', '  Ada.L@Example.COM \n'], firstName: ['   '], givenName: [' Ada '] }, '  opaque-id-1\n'));
    expect(profile).toMatchObject({ subject: 'opaque-id-1', email: 'Ada.L@Example.COM', givenName: 'Ada' });
  });

  it('de-duplicate groups in the order sent, dropping empty ones', () => {
    expect(value(saml({ email: ['a@example.com'], groups: ['b', 'a', ' b ', '', 'c', 'a'] })).groups).toEqual(['b', 'a', 'c']);
  });

  it('count the address verified only when the connection says the IdP vouches for it', () => {
    const mapping = presetMapping('generic-saml', 'saml');
    const input = { nameId: 'x', nameIdFormat: undefined, attributes: { email: ['a@example.com'] } };
    expect(value(normaliseSamlProfile(mapping, input)).emailVerified).toBe(false);
    expect(value(normaliseSamlProfile({ ...mapping, samlEmailVerified: true }, input)).emailVerified).toBe(true);
    const fromNameId = { nameId: 'a@example.com', nameIdFormat: undefined, attributes: {} };
    expect(value(normaliseSamlProfile({ ...mapping, samlEmailVerified: true }, fromNameId)).emailVerified).toBe(false);
    const attribute = { ...mapping, emailVerified: ['email_verified'] };
    expect(value(normaliseSamlProfile(attribute, { ...input, attributes: { ...input.attributes, email_verified: ['true'] } })).emailVerified).toBe(true);
  });
});

describe('generic OIDC defaults', () => {
  const oidc = (claims: Record<string, unknown>) => normaliseOidcProfile(presetMapping(undefined, 'oidc'), { subject: 'sub-1', claims: { sub: 'sub-1', ...claims } });

  it('read the standard claims, then the short names', () => {
    expect(value(oidc({ email: 'a@example.com', email_verified: true, given_name: 'Ada', family_name: 'L', name: 'Ada L', groups: ['x'] }))).toMatchObject({
      subject: 'sub-1',
      email: 'a@example.com',
      emailVerified: true,
      givenName: 'Ada',
      familyName: 'L',
      displayName: 'Ada L',
      groups: ['x'],
    });
    expect(value(oidc({ mail: 'a@example.com', firstName: 'Ada', surname: 'L', displayName: 'Ada L', memberOf: 'only-one' }))).toMatchObject({
      email: 'a@example.com',
      givenName: 'Ada',
      familyName: 'L',
      displayName: 'Ada L',
      groups: ['only-one'],
    });
  });

  it('turn claims into strings: arrays element by element, numbers and booleans as text, objects left out', () => {
    const profile = value(
      oidc({ email: 'a@example.com', roles: ['r1', 2, true, { x: 1 }, null], auth_time: 1700000000, address: { country: 'NL' }, middle_name: null, amr: [] }),
    );
    expect(profile.raw).toEqual({ sub: ['sub-1'], email: ['a@example.com'], roles: ['r1', '2', 'true'], auth_time: ['1700000000'] });
    expect(profile.rawTruncated).toBe(false);
  });
});
