import { describe, expect, it } from 'vitest';
import { MAX_GROUPS, normaliseOidcProfile, normaliseSamlProfile, presetMapping } from '../../../src/sso/profile/index.ts';
import { ENTRA_TENANT, entraOidc, entraSaml, googleOidc, oktaSaml } from './idp-inputs.ts';

const TENANT_ATTRIBUTE = 'http://schemas.microsoft.com/identity/claims/tenantid';

describe('wrong tenant', () => {
  it('refuses another Entra tenant when the connection expects one', () => {
    const mapping = presetMapping('entra', 'saml');
    mapping.tenant = { attribute: TENANT_ATTRIBUTE, expected: '11111111-2222-4333-8444-555555555555' };
    expect(normaliseSamlProfile(mapping, entraSaml())).toMatchObject({ ok: false, reason: 'wrong_tenant' });

    const oidc = presetMapping('entra', 'oidc');
    oidc.tenant = { attribute: 'tid', expected: '11111111-2222-4333-8444-555555555555' };
    expect(normaliseOidcProfile(oidc, entraOidc())).toMatchObject({ ok: false, reason: 'wrong_tenant' });
  });

  it('accepts the expected tenant, in either case of its GUID', () => {
    const mapping = presetMapping('entra', 'oidc');
    mapping.tenant = { attribute: 'tid', expected: ENTRA_TENANT.toUpperCase() };
    expect(normaliseOidcProfile(mapping, entraOidc())).toMatchObject({ ok: true, value: { tenant: ENTRA_TENANT } });
  });

  it('compares tenants that are not GUIDs exactly', () => {
    const mapping = { ...presetMapping('google', 'oidc'), tenant: { attribute: 'hd', expected: 'Example.com' } };
    expect(normaliseOidcProfile(mapping, googleOidc())).toMatchObject({ ok: false, reason: 'wrong_tenant' });
  });

  it('refuses a token without the tenant attribute, even with no expected value', () => {
    const input = entraSaml();
    delete input.attributes[TENANT_ATTRIBUTE];
    const result = normaliseSamlProfile(presetMapping('entra', 'saml'), input);
    expect(result).toMatchObject({ ok: false, reason: 'wrong_tenant' });
    expect(!result.ok && result.detail).toContain(TENANT_ATTRIBUTE);
  });
});

describe('missing subject', () => {
  it('refuses Entra SAML without objectidentifier rather than keying on the NameID', () => {
    const input = entraSaml();
    delete input.attributes['http://schemas.microsoft.com/identity/claims/objectidentifier'];
    expect(normaliseSamlProfile(presetMapping('entra', 'saml'), input)).toMatchObject({ ok: false, reason: 'missing_subject' });
  });

  it('never takes a transient NameID as the subject', () => {
    const input = { ...oktaSaml(), nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient', nameId: '_a81bc1f0' };
    const result = normaliseSamlProfile(presetMapping('okta', 'saml'), input);
    expect(result).toMatchObject({ ok: false, reason: 'missing_subject' });
    expect(!result.ok && result.detail).toContain('transient');
  });

  it('refuses an empty NameID and a subject too long to be an id', () => {
    expect(normaliseSamlProfile(presetMapping('okta', 'saml'), { ...oktaSaml(), nameId: '  ' })).toMatchObject({ ok: false, reason: 'missing_subject' });
    expect(normaliseSamlProfile(presetMapping('okta', 'saml'), { ...oktaSaml(), nameId: 'x'.repeat(1025) })).toMatchObject({
      ok: false,
      reason: 'missing_subject',
    });
  });

  it('reads $nameId only in SAML and $sub only in OIDC', () => {
    const samlMapping = { ...presetMapping('okta', 'saml'), subject: ['$sub'] };
    expect(normaliseSamlProfile(samlMapping, oktaSaml())).toMatchObject({ ok: false, reason: 'missing_subject' });
    const oidcMapping = { ...presetMapping('google', 'oidc'), subject: ['$nameId'] };
    expect(normaliseOidcProfile(oidcMapping, googleOidc())).toMatchObject({ ok: false, reason: 'missing_subject' });
  });
});

describe('email', () => {
  it('refuses a sign-in with no address', () => {
    const input = entraOidc();
    delete input.claims['email'];
    delete input.claims['preferred_username'];
    expect(normaliseOidcProfile(presetMapping('entra', 'oidc'), input)).toMatchObject({ ok: false, reason: 'missing_email' });
  });

  it('skips a fallback username that is not an address (a phone number sign-in)', () => {
    const input = entraOidc();
    delete input.claims['email'];
    input.claims['preferred_username'] = '+31 6 12345678';
    expect(normaliseOidcProfile(presetMapping('entra', 'oidc'), input)).toMatchObject({ ok: false, reason: 'missing_email' });
  });

  it('refuses a malformed address instead of falling back to the username', () => {
    for (const bad of ['frank', 'frank@', '@example.com', 'a@b@example.com', 'frank miller@example.com', 'frank@exam\u0000ple.com', `${'a'.repeat(310)}@example.com`]) {
      const input = entraOidc();
      input.claims['email'] = bad;
      expect(normaliseOidcProfile(presetMapping('entra', 'oidc'), input), bad).toMatchObject({ ok: false, reason: 'invalid_email' });
    }
  });

  it('accepts an address of exactly 320 characters', () => {
    const input = entraOidc();
    input.claims['email'] = `${'a'.repeat(308)}@example.com`;
    expect(normaliseOidcProfile(presetMapping('entra', 'oidc'), input)).toMatchObject({ ok: true });
  });
});

describe('bounds', () => {
  it('keeps at most MAX_GROUPS groups and says the list is incomplete', () => {
    const input = oktaSaml();
    input.attributes['groups'] = Array.from({ length: MAX_GROUPS + 5 }, (_, i) => `g${i}`);
    const result = normaliseSamlProfile(presetMapping('okta', 'saml'), input);
    expect(result.ok && result.value.groups.length).toBe(MAX_GROUPS);
    expect(result.ok && result.value.groupsOverage).toBe(true);
  });

  it('leaves out a group name too long to keep, and says so', () => {
    const input = oktaSaml();
    input.attributes['groups'] = ['a', 'x'.repeat(2000)];
    expect(normaliseSamlProfile(presetMapping('okta', 'saml'), input)).toMatchObject({ ok: true, value: { groups: ['a'], groupsOverage: true } });
  });

  it('bounds raw to 100 attributes of 100 values of 1,024 characters and notes the cut', () => {
    const input = oktaSaml();
    for (let i = 0; i < 150; i += 1) input.attributes[`extra${i}`] = ['v'];
    input.attributes['firstName'] = ['😀'.repeat(1500)];
    input.attributes['lastName'] = Array.from({ length: 150 }, (_, i) => `v${i}`);
    const result = normaliseSamlProfile(presetMapping('okta', 'saml'), input);
    if (!result.ok) throw new Error(result.detail);
    const { raw, rawTruncated, givenName } = result.value;
    expect(rawTruncated).toBe(true);
    expect(Object.keys(raw)).toHaveLength(100);
    expect(raw['lastName']).toHaveLength(100);
    expect(Array.from(raw['firstName']![0]!)).toHaveLength(1024);
    expect(Array.from(givenName!)).toHaveLength(1024);
  });

  it('keeps a __proto__ attribute as plain data', () => {
    const attributes = JSON.parse('{"__proto__": ["x"], "email": ["a@example.com"]}') as Record<string, string[]>;
    const result = normaliseSamlProfile(presetMapping('okta', 'saml'), { nameId: 'n', nameIdFormat: undefined, attributes });
    expect(result.ok && Object.hasOwn(result.value.raw, '__proto__')).toBe(true);
    expect(result.ok && Object.getPrototypeOf(result.value.raw)).toBe(Object.prototype);
  });
});
