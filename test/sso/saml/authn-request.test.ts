import { X509Certificate, verify } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import * as samlify from 'samlify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAuthnRequestRedirect, inflateRedirectMessage, spMetadataXml } from '../../../src/sso/saml/index.ts';
import type { SamlSpSettings } from '../../../src/sso/saml/index.ts';
import { createTestSp, idpSettingsFor } from './support/fixtures.ts';
import { createTestSamlIdp } from './support/test-idp.ts';
import type { TestSamlIdp } from './support/test-idp.ts';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NOW = new Date('2031-03-14T09:00:00.000Z');

let sp: SamlSpSettings;
let idp: TestSamlIdp;
beforeAll(async () => {
  sp = await createTestSp();
  idp = await createTestSamlIdp();
});

function requestXml(url: string): Document {
  const samlRequest = new URL(url).searchParams.get('SAMLRequest') ?? '';
  const inflated = inflateRedirectMessage(samlRequest, 64 * 1024);
  if (!inflated.ok) throw new Error(inflated.error);
  return new DOMParser().parseFromString(inflated.value, 'text/xml') as unknown as Document;
}

describe('buildAuthnRequestRedirect', () => {
  it('sends a request whose ID is the requestId, to the IdP, for our ACS, without RequestedAuthnContext', async () => {
    const { url, requestId } = await buildAuthnRequestRedirect(sp, idpSettingsFor(idp), { relayState: 'opaque-key', now: NOW });
    expect(url.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    const request = requestXml(url).documentElement;
    expect(request.namespaceURI).toBe(SAMLP);
    expect(request.localName).toBe('AuthnRequest');
    expect(request.getAttribute('ID')).toBe(requestId);
    expect(requestId).toMatch(/^_[0-9a-f]{40}$/);
    expect(request.getAttribute('IssueInstant')).toBe('2031-03-14T09:00:00Z');
    expect(request.getAttribute('Destination')).toBe(idp.ssoUrl);
    expect(request.getAttribute('AssertionConsumerServiceURL')).toBe(sp.acsUrl);
    expect(request.getAttribute('ProtocolBinding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(request.hasAttribute('ForceAuthn')).toBe(false);
    expect(request.getElementsByTagNameNS(SAML, 'Issuer')[0]?.textContent).toBe(sp.entityId);
    expect(request.getElementsByTagNameNS(SAMLP, 'RequestedAuthnContext').length).toBe(0);
    expect(request.getElementsByTagNameNS(SAMLP, 'NameIDPolicy')[0]?.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
    expect(new URL(url).searchParams.get('RelayState')).toBe('opaque-key');
  });

  it('signs the query string with RSA-SHA256 and the SP key (bindings §3.4.4.1)', async () => {
    const { url } = await buildAuthnRequestRedirect(sp, idpSettingsFor(idp), { relayState: 'k' });
    const query = url.slice(url.indexOf('?') + 1);
    const signed = query.slice(0, query.indexOf('&Signature='));
    const signature = Buffer.from(new URL(url).searchParams.get('Signature') ?? '', 'base64');
    expect(new URL(url).searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(verify('sha256', Buffer.from(signed), new X509Certificate(sp.certificatePem).publicKey, signature)).toBe(true);
  });

  it('is accepted by a real IdP that requires signed requests, reading our SP metadata', async () => {
    const { url, requestId } = await buildAuthnRequestRedirect(sp, idpSettingsFor(idp), { relayState: 'k' });
    const query = Object.fromEntries(new URL(url).searchParams);
    const parsed = await idp.samlify.parseLoginRequest(samlify.ServiceProvider({ metadata: spMetadataXml(sp) }), 'redirect', {
      query,
      octetString: url.slice(url.indexOf('?') + 1, url.indexOf('&Signature=')),
    } as never);
    expect(parsed.extract.request?.id).toBe(requestId);
  });

  it('asks for ForceAuthn when told to, and keeps a query the IdP URL already has (Google ?idpid=)', async () => {
    const settings = { ...idpSettingsFor(idp), ssoUrl: 'https://accounts.google.test/o/saml2/idp?idpid=C0abc' };
    const { url } = await buildAuthnRequestRedirect(sp, settings, { relayState: 'k', forceAuthn: true });
    expect(url.startsWith('https://accounts.google.test/o/saml2/idp?idpid=C0abc&SAMLRequest=')).toBe(true);
    expect(new URL(url).searchParams.get('idpid')).toBe('C0abc');
    expect(requestXml(url).documentElement.getAttribute('ForceAuthn')).toBe('true');
  });

  it('refuses a RelayState over 80 bytes, which IdPs truncate', async () => {
    await expect(buildAuthnRequestRedirect(sp, idpSettingsFor(idp), { relayState: 'x'.repeat(81) })).rejects.toThrow(RangeError);
  });

  it('issues a new request ID each time', async () => {
    const a = await buildAuthnRequestRedirect(sp, idpSettingsFor(idp), { relayState: 'k' });
    const b = await buildAuthnRequestRedirect(sp, idpSettingsFor(idp), { relayState: 'k' });
    expect(a.requestId).not.toBe(b.requestId);
  });
});
