import { describe, expect, it } from 'vitest';
import { normaliseOidcProfile, normaliseSamlProfile, PRESET_NAMES, presetMapping, type PresetName } from '../../../src/sso/profile/index.ts';
import { ENTRA_OBJECT_ID, ENTRA_TENANT, entraOidc, entraSaml, googleOidc, googleSaml, oktaOidc, oktaSaml } from './idp-inputs.ts';

const ok = <T>(result: { ok: true; value: T } | { ok: false; reason: string; detail: string }): T => {
  if (!result.ok) throw new Error(`refused: ${result.reason}: ${result.detail}`);
  return result.value;
};

describe('presetMapping', () => {
  it('gives every preset for both protocols, the generic defaults for none or the other protocol', () => {
    for (const preset of [...PRESET_NAMES, undefined] as (PresetName | undefined)[]) {
      for (const protocol of ['saml', 'oidc'] as const) {
        const mapping = presetMapping(preset, protocol);
        expect(mapping.subject.length).toBeGreaterThan(0);
        expect(mapping.email.length).toBeGreaterThan(0);
      }
    }
    expect(presetMapping(undefined, 'saml')).toEqual(presetMapping('generic-saml', 'saml'));
    expect(presetMapping('generic-oidc', 'saml')).toEqual(presetMapping('generic-saml', 'saml'));
    expect(presetMapping(undefined, 'oidc')).toEqual(presetMapping('generic-oidc', 'oidc'));
  });

  it('hands out a copy: editing one connection leaves the preset alone', () => {
    const edited = presetMapping('entra', 'saml');
    edited.subject.push('$nameId');
    edited.tenant = { attribute: 'x', expected: 'y' };
    expect(presetMapping('entra', 'saml').subject).toEqual(['http://schemas.microsoft.com/identity/claims/objectidentifier']);
    expect(presetMapping('entra', 'saml').tenant).toEqual({ attribute: 'http://schemas.microsoft.com/identity/claims/tenantid' });
  });
});

describe('Entra ID', () => {
  it('SAML: keys on objectidentifier + tenantid, not the format-dependent NameID', () => {
    const profile = ok(normaliseSamlProfile(presetMapping('entra', 'saml'), entraSaml()));
    expect(profile).toMatchObject({
      subject: ENTRA_OBJECT_ID,
      tenant: ENTRA_TENANT,
      email: 'Frank.Miller@Contoso.com',
      emailVerified: false,
      givenName: 'Frank',
      familyName: 'Miller',
      displayName: 'Frank Miller',
      groups: ['07dd8a60-bf6d-4e17-8844-230b77145381', '5f1c2e3d-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
      groupsOverage: false,
      rawTruncated: false,
    });
    expect(profile.raw['http://schemas.microsoft.com/identity/claims/tenantid']).toEqual([ENTRA_TENANT]);
  });

  it('SAML: the same user is the same subject whatever NameID format was requested', () => {
    const persistent = { ...entraSaml(), nameId: 'k8Zx0kHcWw1bUFnN1cP3rQ', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' };
    const transient = { ...entraSaml(), nameId: '_4f3a1c', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' };
    const mapping = presetMapping('entra', 'saml');
    expect(ok(normaliseSamlProfile(mapping, persistent)).subject).toBe(ENTRA_OBJECT_ID);
    expect(ok(normaliseSamlProfile(mapping, transient)).subject).toBe(ENTRA_OBJECT_ID);
  });

  it('SAML: without a mail attribute, takes the UPN from the name claim, unverified', () => {
    const input = entraSaml();
    delete input.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'];
    const profile = ok(normaliseSamlProfile(presetMapping('entra', 'saml'), input));
    expect(profile.email).toBe('frank.miller@contoso.com');
    expect(profile.emailVerified).toBe(false);
  });

  it('SAML: past 150 groups, signs in with no groups and says the list is incomplete', () => {
    const input = entraSaml();
    delete input.attributes['http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'];
    input.attributes['http://schemas.microsoft.com/claims/groups.link'] = [
      `https://graph.windows.net/${ENTRA_TENANT}/users/${ENTRA_OBJECT_ID}/getMemberObjects`,
    ];
    const profile = ok(normaliseSamlProfile(presetMapping('entra', 'saml'), input));
    expect(profile.groups).toEqual([]);
    expect(profile.groupsOverage).toBe(true);
  });

  it('OIDC: keys on oid + tid; email claim first, not verified without xms_edov', () => {
    const profile = ok(normaliseOidcProfile(presetMapping('entra', 'oidc'), entraOidc()));
    expect(profile).toMatchObject({
      subject: ENTRA_OBJECT_ID,
      tenant: ENTRA_TENANT,
      email: 'Frank.Miller@contoso.com',
      emailVerified: false,
      displayName: 'Frank Miller',
      givenName: undefined,
      groups: ['07dd8a60-bf6d-4e17-8844-230b77145381'],
      groupsOverage: false,
    });
    expect(profile.raw['iat']).toEqual(['1536361411']);
  });

  it('OIDC: xms_edov verifies the email claim, never preferred_username', () => {
    const mapping = presetMapping('entra', 'oidc');
    const withEdov = entraOidc();
    withEdov.claims['xms_edov'] = true;
    expect(ok(normaliseOidcProfile(mapping, withEdov)).emailVerified).toBe(true);
    delete withEdov.claims['email'];
    const fallback = ok(normaliseOidcProfile(mapping, withEdov));
    expect(fallback.email).toBe('frank.miller@contoso.com');
    expect(fallback.emailVerified).toBe(false);
  });

  it('OIDC: without the profile scope (no oid), falls back to the pairwise sub', () => {
    const input = entraOidc();
    delete input.claims['oid'];
    expect(ok(normaliseOidcProfile(presetMapping('entra', 'oidc'), input)).subject).toBe(input.subject);
  });

  it('OIDC: past 200 groups (_claim_names), signs in with no groups and says so', () => {
    const input = entraOidc();
    delete input.claims['groups'];
    input.claims['_claim_names'] = { groups: 'src1' };
    input.claims['_claim_sources'] = { src1: { endpoint: `https://graph.microsoft.com/v1.0/users/${ENTRA_OBJECT_ID}/getMemberObjects` } };
    const profile = ok(normaliseOidcProfile(presetMapping('entra', 'oidc'), input));
    expect(profile.groups).toEqual([]);
    expect(profile.groupsOverage).toBe(true);
    expect(profile.raw).not.toHaveProperty('_claim_names');
  });
});

describe('Okta', () => {
  it('SAML: NameID (the username) is the subject; admin-defined attributes fill the rest', () => {
    const profile = ok(normaliseSamlProfile(presetMapping('okta', 'saml'), oktaSaml()));
    expect(profile).toMatchObject({
      subject: 'frank.miller@example.com',
      tenant: undefined,
      email: 'frank@example.com',
      emailVerified: false,
      givenName: 'Frank',
      familyName: 'Miller',
      displayName: undefined,
      groups: ['Everyone', 'Engineering'],
      groupsOverage: false,
    });
  });

  it('SAML: an immutable id attribute put first in the mapping becomes the subject', () => {
    const input = oktaSaml();
    input.attributes['oktaId'] = ['00uid4BxXw6I6TV4m0g3'];
    const mapping = presetMapping('okta', 'saml');
    mapping.subject.unshift('oktaId');
    expect(ok(normaliseSamlProfile(mapping, input)).subject).toBe('00uid4BxXw6I6TV4m0g3');
  });

  it('SAML: with no email statement, the username NameID serves as an unverified address', () => {
    const input = oktaSaml();
    delete input.attributes['email'];
    const profile = ok(normaliseSamlProfile(presetMapping('okta', 'saml'), input));
    expect(profile.email).toBe('frank.miller@example.com');
    expect(profile.emailVerified).toBe(false);
  });

  it('OIDC: sub, groups; no email_verified in the ID token means unverified', () => {
    const mapping = presetMapping('okta', 'oidc');
    const profile = ok(normaliseOidcProfile(mapping, oktaOidc()));
    expect(profile).toMatchObject({
      subject: '00uid4BxXw6I6TV4m0g3',
      email: 'frank@example.com',
      emailVerified: false,
      displayName: 'Frank Miller',
      groups: ['Everyone', 'Engineering'],
    });
    const verified = oktaOidc();
    verified.claims['email_verified'] = true;
    expect(ok(normaliseOidcProfile(mapping, verified)).emailVerified).toBe(true);
  });
});

describe('Google', () => {
  it('SAML: the email NameID is subject and verified address', () => {
    const profile = ok(normaliseSamlProfile(presetMapping('google', 'saml'), googleSaml()));
    expect(profile).toMatchObject({
      subject: 'frank@example.com',
      email: 'frank@example.com',
      emailVerified: true,
      givenName: 'Frank',
      groups: [],
      groupsOverage: false,
    });
  });

  it('OIDC: sub, email_verified, no groups; hd kept in raw', () => {
    const profile = ok(normaliseOidcProfile(presetMapping('google', 'oidc'), googleOidc()));
    expect(profile).toMatchObject({
      subject: '110169484474386276334',
      tenant: undefined,
      email: 'frank@example.com',
      emailVerified: true,
      givenName: 'Frank',
      familyName: 'Miller',
      displayName: 'Frank Miller',
      groups: [],
    });
    expect(profile.raw['hd']).toEqual(['example.com']);
    expect(profile.raw['email_verified']).toEqual(['true']);
  });

  it('OIDC: email_verified false, or absent, is not verified; the string "true" is', () => {
    const mapping = presetMapping('google', 'oidc');
    for (const [claim, verified] of [
      [false, false],
      [undefined, false],
      ['true', true],
      ['yes', false],
    ] as const) {
      const input = googleOidc();
      input.claims['email_verified'] = claim;
      expect(ok(normaliseOidcProfile(mapping, input)).emailVerified).toBe(verified);
    }
  });
});
