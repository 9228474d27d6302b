import { beforeAll, describe, expect, it } from 'vitest';
import { parseIdpMetadata } from '../../../src/sso/saml/index.ts';
import { createTestSamlIdp } from './support/test-idp.ts';
import type { TestSamlIdp } from './support/test-idp.ts';

const bare = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

let idp: TestSamlIdp;
let other: TestSamlIdp;
beforeAll(async () => {
  [idp, other] = await Promise.all([createTestSamlIdp(), createTestSamlIdp()]);
});

/**
 * The shape of Entra's per-application federation metadata: a BOM, a signed EntityDescriptor,
 * WS-Federation RoleDescriptors before the IDPSSODescriptor, KeyDescriptors with use="signing",
 * and both SSO bindings on the same URL.
 */
function entraShapedMetadata(tenant: string, certificates: string[]): string {
  const keys = certificates
    .map((c) => `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${c}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`)
    .join('');
  return (
    '\uFEFF<?xml version="1.0" encoding="utf-8"?>' +
    `<EntityDescriptor ID="_6a8e1f4e-5f6b-4b7e-9e25-0c0f2d6f4b1a" entityID="https://sts.windows.net/${tenant}/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI="#_6a8e1f4e-5f6b-4b7e-9e25-0c0f2d6f4b1a"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AA==</DigestValue></Reference></SignedInfo><SignatureValue>AA==</SignatureValue></Signature>' +
    `<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">${keys}</RoleDescriptor>` +
    '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
    keys +
    `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/${tenant}/saml2"/>` +
    `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/${tenant}/saml2"/>` +
    `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/${tenant}/saml2"/>` +
    '</IDPSSODescriptor></EntityDescriptor>'
  );
}

const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

describe('parseIdpMetadata', () => {
  it("reads samlify's IdP metadata", () => {
    expect(parseIdpMetadata(idp.metadataXml())).toEqual({
      ok: true,
      value: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, ssoBinding: 'HTTP-Redirect', certificates: [bare(idp.certificatePem)] },
    });
  });

  it('reads Entra-shaped metadata with a BOM and keeps both certificates of a rotation', () => {
    const xml = entraShapedMetadata(TENANT, [bare(idp.certificatePem), bare(other.certificatePem)]);
    expect(parseIdpMetadata(xml)).toEqual({
      ok: true,
      value: {
        entityId: `https://sts.windows.net/${TENANT}/`,
        ssoUrl: `https://login.microsoftonline.com/${TENANT}/saml2`,
        ssoBinding: 'HTTP-Redirect',
        certificates: [bare(idp.certificatePem), bare(other.certificatePem)],
      },
    });
  });

  it('unwraps an EntitiesDescriptor holding one EntityDescriptor, takes a KeyDescriptor without use, skips encryption keys', () => {
    const xml =
      '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">' +
      '<md:EntityDescriptor entityID="https://idp.example/x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
      `<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${bare(idp.certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
      `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${bare(other.certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
      '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/post"/>' +
      '</md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>';
    expect(parseIdpMetadata(xml)).toEqual({
      ok: true,
      value: { entityId: 'https://idp.example/x', ssoUrl: 'https://idp.example/post', ssoBinding: 'HTTP-POST', certificates: [bare(idp.certificatePem)] },
    });
  });

  it('refuses metadata without a signing certificate (fails closed)', () => {
    const result = parseIdpMetadata(entraShapedMetadata(TENANT, []));
    expect(result).toEqual({ ok: false, error: 'the metadata has no signing certificate' });
  });

  it('refuses metadata with a DOCTYPE', () => {
    const xml = idp.metadataXml().replace(/^(<\?xml[^?]*\?>)?/, '$1<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM "file:///etc/passwd">]>');
    expect(parseIdpMetadata(xml)).toEqual({ ok: false, error: 'DOCTYPE is not allowed' });
  });

  it('refuses what is not metadata, or several IdPs at once', () => {
    expect(parseIdpMetadata('<html><body>Sign in</body></html>').ok).toBe(false);
    const two = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${idp.metadataXml().replace(/^<\?xml[^?]*\?>/, '')}${other.metadataXml().replace(/^<\?xml[^?]*\?>/, '')}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(two)).toMatchObject({ ok: false, error: expect.stringContaining('2 EntityDescriptors') });
  });
});
