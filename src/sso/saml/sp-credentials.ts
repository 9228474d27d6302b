import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { bitString, boolean, explicit, nullValue, objectIdentifier, octetString, positiveInteger, sequence, set, time, utf8String } from './der.ts';

const generateRsaKeyPair = promisify(generateKeyPair);

const SHA256_WITH_RSA = sequence(objectIdentifier('1.2.840.113549.1.1.11'), nullValue());
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const VALIDITY_YEARS = 10;

/**
 * A new SP key pair for one connection: RSA-2048 and a self-signed certificate valid ten years. SAML
 * peers use the certificate only as a container for the public key (nobody checks a chain), so a
 * long validity spares IT admins re-uploading it. node:crypto signs but cannot build certificates,
 * and no certificate library is a dependency, so the certificate is assembled here in DER.
 */
export async function generateSpCredentials(commonName: string): Promise<{ privateKeyPem: string; certificatePem: string }> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const name = sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(commonName))));
  // A 127-bit random serial: positive, non-zero, within RFC 5280's 20 octets.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const tbsCertificate = sequence(
    explicit(0, positiveInteger(Buffer.from([2]))), // v3
    positiveInteger(serial),
    SHA256_WITH_RSA,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    // basicConstraints, critical, cA absent (= false): an SP key must not be usable as a CA.
    explicit(3, sequence(sequence(objectIdentifier(BASIC_CONSTRAINTS), boolean(true), octetString(sequence())))),
  );
  const signature = sign('sha256', tbsCertificate, privateKey);
  const certificate = sequence(tbsCertificate, SHA256_WITH_RSA, bitString(signature));
  const body = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: `-----BEGIN CERTIFICATE-----\n${body.join('\n')}\n-----END CERTIFICATE-----\n`,
  };
}
