import { X509Certificate } from 'node:crypto';
import { bareCertificate, certificatePem } from './certificates.ts';
import { BINDING, MAX_SAML_MESSAGE_BYTES, NS } from './constants.ts';
import { attribute, childElements, descendants, text } from './dom.ts';
import { parseXmlStrictly, screenXmlText } from './xml-safety.ts';
import type { IdpMetadata, ParseResult, SsoBinding } from './types.ts';

/** Entra federation metadata carries a few extra role descriptors; 1 MiB leaves room and bounds the parse. */
const MAX_METADATA_BYTES = 4 * MAX_SAML_MESSAGE_BYTES;

/**
 * Reads the parts of IdP metadata a connection needs. It fails closed: metadata with no signing
 * certificate gives nothing to verify responses with, so it is refused rather than stored half-empty.
 */
export function parseIdpMetadata(xml: string): ParseResult<IdpMetadata> {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) return { ok: false, error: `metadata is larger than ${MAX_METADATA_BYTES} bytes` };
  const screened = screenXmlText(xml);
  if (!screened.ok) return { ok: false, error: screened.detail };
  const parsed = parseXmlStrictly(screened.value);
  if (!parsed.ok) return { ok: false, error: parsed.detail };
  const entity = entityDescriptor(parsed.value.root);
  if (!entity.ok) return entity;
  const entityId = attribute(entity.value, 'entityID')?.trim();
  if (!entityId) return { ok: false, error: 'EntityDescriptor has no entityID' };
  const idpDescriptors = childElements(entity.value, NS.metadata, 'IDPSSODescriptor');
  const idp = idpDescriptors[0];
  if (!idp || idpDescriptors.length > 1) return { ok: false, error: 'expected exactly one IDPSSODescriptor' };

  const sso = singleSignOnService(idp);
  if (!sso.ok) return sso;
  const certificates = signingCertificates(idp);
  if (!certificates.ok) return certificates;
  return { ok: true, value: { entityId, ssoUrl: sso.value.url, ssoBinding: sso.value.binding, certificates: certificates.value } };
}

/** An EntityDescriptor, or an EntitiesDescriptor wrapping exactly one (as some IdPs serve it). */
function entityDescriptor(root: Element): ParseResult<Element> {
  if (root.namespaceURI === NS.metadata && root.localName === 'EntityDescriptor') return { ok: true, value: root };
  if (root.namespaceURI === NS.metadata && root.localName === 'EntitiesDescriptor') {
    const entities = descendants(root, NS.metadata, 'EntityDescriptor');
    if (entities.length === 1 && entities[0]) return { ok: true, value: entities[0] };
    return { ok: false, error: `EntitiesDescriptor holds ${entities.length} EntityDescriptors; paste the metadata of one IdP` };
  }
  return { ok: false, error: 'not SAML metadata: the root is not an EntityDescriptor' };
}

/** Roster sends AuthnRequests by HTTP-Redirect, so that endpoint wins; HTTP-POST is reported as such. */
function singleSignOnService(idp: Element): ParseResult<{ url: string; binding: SsoBinding }> {
  const services = childElements(idp, NS.metadata, 'SingleSignOnService');
  for (const [binding, name] of [
    [BINDING.redirect, 'HTTP-Redirect'],
    [BINDING.post, 'HTTP-POST'],
  ] as const) {
    const url = services.find((service) => attribute(service, 'Binding') === binding)?.getAttribute('Location')?.trim();
    if (url) return { ok: true, value: { url, binding: name } };
  }
  return { ok: false, error: 'no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding' };
}

/** KeyDescriptors with use="signing" or no use (which means both); encryption-only keys never verify. */
function signingCertificates(idp: Element): ParseResult<string[]> {
  const found = new Set<string>();
  for (const descriptor of childElements(idp, NS.metadata, 'KeyDescriptor')) {
    const use = attribute(descriptor, 'use');
    if (use !== undefined && use !== 'signing') continue;
    for (const element of descendants(descriptor, NS.dsig, 'X509Certificate')) {
      const certificate = bareCertificate(text(element));
      try {
        new X509Certificate(certificatePem(certificate));
      } catch {
        return { ok: false, error: 'a signing X509Certificate in the metadata is not a valid certificate' };
      }
      found.add(certificate);
    }
  }
  if (found.size === 0) return { ok: false, error: 'the metadata has no signing certificate' };
  return { ok: true, value: [...found] };
}
