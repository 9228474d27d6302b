import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSpCredentials } from '../../../src/sso/saml/index.ts';

describe('generateSpCredentials', () => {
  it('makes an RSA-2048 key and a self-signed certificate for it, valid about ten years', async () => {
    const { privateKeyPem, certificatePem } = await generateSpCredentials('Roster SP acme');
    const certificate = new X509Certificate(certificatePem);
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.checkPrivateKey(key)).toBe(true);
    expect(certificate.verify(createPublicKey(certificatePem))).toBe(true);
    expect(certificate.subject).toBe('CN=Roster SP acme');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.ca).toBe(false);
    const years = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(Date.parse(certificate.validFrom)).toBeLessThanOrEqual(Date.now());
  });

  it('gives every connection its own key and serial number', async () => {
    const [a, b] = await Promise.all([generateSpCredentials('a'), generateSpCredentials('a')]);
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem);
    expect(new X509Certificate(a.certificatePem).serialNumber).not.toBe(new X509Certificate(b.certificatePem).serialNumber);
  });
});
