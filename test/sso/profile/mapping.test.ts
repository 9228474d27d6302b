import { describe, expect, it } from 'vitest';
import { parseProfileMapping, PRESET_NAMES, presetMapping } from '../../../src/sso/profile/index.ts';

const base = () => presetMapping('entra', 'saml') as unknown as Record<string, unknown>;
const error = (json: unknown) => {
  const result = parseProfileMapping(json);
  if (result.ok) throw new Error('accepted');
  return result.error;
};

describe('parseProfileMapping', () => {
  it('accepts every preset as stored, a JSON round trip included', () => {
    for (const preset of PRESET_NAMES) {
      for (const protocol of ['saml', 'oidc'] as const) {
        const mapping = presetMapping(preset, protocol);
        expect(parseProfileMapping(JSON.parse(JSON.stringify(mapping)))).toEqual({ ok: true, value: mapping });
      }
    }
  });

  it('trims names and accepts an expected tenant', () => {
    const result = parseProfileMapping({ ...base(), subject: ['  oid '], tenant: { attribute: 'tid', expected: ' 8f1c7a2e-4b1d-4e6b-9a0c-3d2f5e6a7b8c ' } });
    expect(result).toMatchObject({ ok: true, value: { subject: ['oid'], tenant: { attribute: 'tid', expected: '8f1c7a2e-4b1d-4e6b-9a0c-3d2f5e6a7b8c' } } });
  });

  it('refuses empty subject and email lists', () => {
    expect(error({ ...base(), subject: [] })).toMatch(/^subject: /);
    expect(error({ ...base(), email: [] })).toMatch(/^email: /);
  });

  it('refuses missing fields, unknown fields and wrong types', () => {
    const { groups: _groups, ...noGroups } = base();
    expect(error(noGroups)).toMatch(/^groups: /);
    expect(error({ ...base(), emial: ['email'] })).toMatch(/emial/);
    expect(error({ ...base(), givenName: 'firstName' })).toMatch(/^givenName: /);
    expect(error({ ...base(), samlEmailVerified: 'yes' })).toMatch(/^samlEmailVerified: /);
    expect(error({ ...base(), tenant: { attribute: 'tid', expectd: 'x' } })).toMatch(/expectd/);
    expect(error(null)).toBeTruthy();
    expect(error('{}')).toBeTruthy();
  });

  it('bounds names and lists', () => {
    expect(error({ ...base(), groups: ['   '] })).toMatch(/^groups\.0: /);
    expect(error({ ...base(), groups: ['x'.repeat(257)] })).toMatch(/^groups\.0: /);
    expect(error({ ...base(), groups: Array.from({ length: 21 }, (_, i) => `g${i}`) })).toMatch(/^groups: /);
    expect(error({ ...base(), tenant: { attribute: 'tid', expected: 'x'.repeat(257) } })).toMatch(/^tenant\.expected: /);
  });

  it('knows only the special names $nameId and $sub, and never for the tenant', () => {
    expect(error({ ...base(), subject: ['$nameid'] })).toMatch(/\$nameId/);
    expect(parseProfileMapping({ ...base(), subject: ['$sub', '$nameId'] }).ok).toBe(true);
    expect(error({ ...base(), tenant: { attribute: '$nameId' } })).toMatch(/^tenant\.attribute: /);
  });
});
