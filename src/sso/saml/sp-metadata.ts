import { bareCertificate } from './certificates.ts';
import { BINDING, NAMEID_UNSPECIFIED, NS } from './constants.ts';
import { escapeXml } from './xml-escape.ts';
import type { SamlSpSettings } from './types.ts';

/**
 * The SP metadata an IT admin pastes into Okta, Entra or Google for one connection. It promises what
 * Roster does: signed AuthnRequests, assertions required signed, one HTTP-POST ACS. The same
 * certificate is offered for signing and for encryption, so an IdP that encrypts assertions uses
 * the key Roster decrypts with.
 */
export function spMetadataXml(sp: SamlSpSettings): string {
  const certificate = bareCertificate(sp.certificatePem);
  const keyDescriptor = (use: 'signing' | 'encryption') =>
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}" entityID="${escapeXml(sp.entityId)}">`,
    `<md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="${NS.protocol}">`,
    keyDescriptor('signing'),
    keyDescriptor('encryption'),
    `<md:NameIDFormat>${NAMEID_UNSPECIFIED}</md:NameIDFormat>`,
    `<md:AssertionConsumerService Binding="${BINDING.post}" Location="${escapeXml(sp.acsUrl)}" index="0" isDefault="true"/>`,
    '</md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}
