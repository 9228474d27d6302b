import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAuthnRequestRedirect, validateSamlResponse } from '../../../src/sso/saml/index.ts';
import type { SamlIdpSettings, SamlSpSettings } from '../../../src/sso/saml/index.ts';
import { createTestSp, idpSettingsFor, memoryReplayCache } from './support/fixtures.ts';
import { createTestSamlIdp } from './support/test-idp.ts';
import type { TestSamlIdp, TestSamlIdpOptions } from './support/test-idp.ts';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

let sp: SamlSpSettings;
beforeAll(async () => {
  sp = await createTestSp();
});

async function signIn(idp: TestSamlIdp, settings: SamlIdpSettings, attributes?: Record<string, string | string[]>) {
  const { requestId } = await buildAuthnRequestRedirect(sp, settings, { relayState: 'k1' });
  const samlResponse = await idp.respond({ sp, inResponseTo: requestId, nameId: 'ada@acme.example', attributes });
  return { requestId, samlResponse, result: await validateSamlResponse({ sp, idp: settings, samlResponse, expectedRequestId: requestId, now: new Date(), replay: memoryReplayCache() }) };
}

describe('validateSamlResponse accepts', () => {
  const cases: Array<[string, TestSamlIdpOptions, SamlIdpSettings['signedParts']]> = [
    ['an SP-initiated response with only the assertion signed (Entra default)', { signedParts: 'assertion' }, 'assertion'],
    ['a response with only the Response signed', { signedParts: 'response' }, 'response'],
    ['a response with both signed', { signedParts: 'both' }, 'both'],
    ['either signature when the connection accepts either (Google, assertion)', { signedParts: 'assertion' }, 'either'],
    ['either signature when the connection accepts either (Google, response)', { signedParts: 'response' }, 'either'],
    ['an encrypted, signed assertion', { signedParts: 'assertion', encrypt: true }, 'assertion'],
    ['an encrypted assertion in a signed Response', { signedParts: 'response', encrypt: true }, 'response'],
  ];
  it.each(cases)('%s', async (_name, idpOptions, signedParts) => {
    const idp = await createTestSamlIdp(idpOptions);
    const { requestId, samlResponse, result } = await signIn(idp, idpSettingsFor(idp, { signedParts }));
    expect(result).toMatchObject({ ok: true, value: { issuer: idp.entityId, nameId: 'ada@acme.example', inResponseTo: requestId } });
    // The fixture really has the shape the case names.
    const response = new DOMParser().parseFromString(Buffer.from(samlResponse, 'base64').toString('utf8'), 'text/xml').documentElement;
    const own = (element: Element | undefined, localName: string) =>
      element ? Array.from(element.childNodes).filter((n) => (n as Element).localName === localName).length : 0;
    const assertion = response.getElementsByTagNameNS(SAML, 'Assertion')[0];
    expect(own(response, 'Signature')).toBe(idpOptions.signedParts === 'assertion' ? 0 : 1);
    expect(own(response, 'EncryptedAssertion')).toBe(idpOptions.encrypt ? 1 : 0);
    if (!idpOptions.encrypt) expect(own(assertion, 'Signature')).toBe(idpOptions.signedParts === 'response' ? 0 : 1);
  });

  it('returns every attribute as an array of strings, multi-valued ones in order', async () => {
    const idp = await createTestSamlIdp();
    const { result } = await signIn(idp, idpSettingsFor(idp), {
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'ada@acme.example',
      groups: ['engineering', 'admins', 'on-call'],
    });
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    expect(result.value.attributes).toEqual({
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': ['ada@acme.example'],
      groups: ['engineering', 'admins', 'on-call'],
    });
    expect(result.value.nameIdFormat).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    expect(result.value.sessionIndex).toMatch(/^_s/);
    expect(result.value.assertionId).toMatch(/^_a/);
    expect(result.value.notOnOrAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it('an IdP-initiated response where the connection allows it', async () => {
    const idp = await createTestSamlIdp();
    const settings = idpSettingsFor(idp, { allowIdpInitiated: true });
    const samlResponse = await idp.respond({ sp, nameId: 'ada@acme.example' });
    const result = await validateSamlResponse({ sp, idp: settings, samlResponse, expectedRequestId: undefined, now: new Date(), replay: memoryReplayCache() });
    expect(result).toMatchObject({ ok: true, value: { inResponseTo: undefined, nameId: 'ada@acme.example' } });
  });

  it('a response signed with the second of two trusted IdP certificates (rotation)', async () => {
    const old = await createTestSamlIdp();
    const next = await createTestSamlIdp();
    const { result } = await signIn(next, idpSettingsFor(next, { certificates: [old.certificatePem, next.certificatePem] }));
    expect(result.ok).toBe(true);
  });

  it('certificates given as bare base64, as metadata carries them', async () => {
    const idp = await createTestSamlIdp();
    const bare = idp.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    const { result } = await signIn(idp, idpSettingsFor(idp, { certificates: [bare] }));
    expect(result.ok).toBe(true);
  });
});
