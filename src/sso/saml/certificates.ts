import { X509Certificate } from 'node:crypto';
import type { ParseResult } from './types.ts';

/** The base64 body of a PEM certificate, or a bare base64 certificate with whitespace removed. */
export function bareCertificate(pemOrBase64: string): string {
  return pemOrBase64
    .replace(/-----BEGIN CERTIFICATE-----/g, '')
    .replace(/-----END CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');
}

export function certificatePem(pemOrBase64: string): string {
  const body = bareCertificate(pemOrBase64);
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Normalises a connection's IdP certificates to PEM, refusing the list if any entry is not an X.509
 * certificate: a typo in one of two certificates should surface when it is configured, not on the
 * day the other one expires. Validity dates are not checked, as no SAML IdP expects it: trust comes
 * from the configured list, and IdPs keep signing with an expired certificate until rotated.
 */
export function trustedIdpCertificates(certificates: readonly string[]): ParseResult<string[]> {
  if (certificates.length === 0) return { ok: false, error: 'the connection has no IdP certificate' };
  const pems: string[] = [];
  for (const [index, certificate] of certificates.entries()) {
    const pem = certificatePem(certificate);
    try {
      new X509Certificate(pem);
    } catch {
      return { ok: false, error: `IdP certificate #${index + 1} is not an X.509 certificate` };
    }
    pems.push(pem);
  }
  return { ok: true, value: pems };
}
