import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { spMetadataXml } from '../../../src/sso/saml/index.ts';
import type { SamlSpSettings } from '../../../src/sso/saml/index.ts';
import { createTestSp } from './support/fixtures.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

let sp: SamlSpSettings;
beforeAll(async () => {
  sp = { ...(await createTestSp()), entityId: 'https://roster.test.example/sso/saml/a&b', acsUrl: 'https://roster.test.example/sso/saml/a&b/acs?x=1' };
});

describe('spMetadataXml', () => {
  it('parses back with the exact entity ID, ACS URL and the SP certificate for signing and encryption', () => {
    const errors: string[] = [];
    const record = (message: string) => {
      errors.push(message);
    };
    const doc = new DOMParser({ errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(spMetadataXml(sp), 'text/xml');
    expect(errors).toEqual([]);
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe(MD);
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe(sp.entityId);

    const descriptor = root.getElementsByTagNameNS(MD, 'SPSSODescriptor')[0];
    expect(descriptor?.getAttribute('AuthnRequestsSigned')).toBe('true');
    expect(descriptor?.getAttribute('WantAssertionsSigned')).toBe('true');
    const acs = Array.from(root.getElementsByTagNameNS(MD, 'AssertionConsumerService'));
    expect(acs.map((a) => [a.getAttribute('Binding'), a.getAttribute('Location')])).toEqual([['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', sp.acsUrl]]);

    const keys = Array.from(root.getElementsByTagNameNS(MD, 'KeyDescriptor'));
    expect(keys.map((k) => k.getAttribute('use'))).toEqual(['signing', 'encryption']);
    const bare = sp.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    for (const key of keys) expect(key.getElementsByTagNameNS(DS, 'X509Certificate')[0]?.textContent).toBe(bare);
  });
});
