/**
 * Turns what an operator gives (IdP metadata, or an issuer and client credentials) into a
 * connection the domain stores: metadata parsed, discovery pinned, an SP key pair made, the
 * mapping filled from the preset. Every URL of an IdP must be https unless the operator allowed
 * plain http for IdPs on loopback (ALLOW_INSECURE_IDP_URLS).
 */
import { DomainError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { SsoConnectionInput } from '../../directory/index.ts';
import { discoverOidcProvider } from '../oidc/index.ts';
import { parseProfileMapping, PRESET_NAMES, presetMapping, type PresetName } from '../profile/index.ts';
import { generateSpCredentials, parseIdpMetadata, trustedIdpCertificates, type IdpMetadata } from '../saml/index.ts';
import { samlConnectionUrls, oidcRedirectUri } from '../urls.ts';

/** IdP metadata documents are a few KiB; Entra's with many certificates stays well under this. */
const METADATA_MAX_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
/** Entra sets NotBefore to the IssueInstant exactly; a minute covers clocks a little apart, no more. */
const DEFAULT_CLOCK_SKEW_SECONDS = 60;

export interface SamlConnectionRequest {
  name?: string;
  preset?: string;
  metadataXml?: string;
  metadataUrl?: string;
  /** Without metadata: the IdP's entity ID, sign-on URL and signing certificates (PEM or base64; several during a rotation). */
  manual?: { idpEntityId: string; ssoUrl: string; certificates: string[] };
  allowIdpInitiated?: boolean;
}

export interface OidcConnectionRequest {
  name?: string;
  preset?: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface SetupOptions {
  publicUrl: string;
  allowInsecureIdpUrls: boolean;
  fetch?: typeof fetch;
}

function parsePreset(raw: string | undefined, protocol: 'saml' | 'oidc'): PresetName | undefined {
  if (raw === undefined) return undefined;
  if (!(PRESET_NAMES as readonly string[]).includes(raw)) {
    throw new DomainError('invalid_input', `unknown preset "${raw}"; use one of ${PRESET_NAMES.join(', ')}`, { details: { field: 'preset' } });
  }
  if ((raw === 'generic-saml' && protocol === 'oidc') || (raw === 'generic-oidc' && protocol === 'saml')) {
    throw new DomainError('invalid_input', `preset "${raw}" is for ${protocol === 'saml' ? 'OIDC' : 'SAML'} connections`, { details: { field: 'preset' } });
  }
  return raw as PresetName;
}

/** Which IdP signatures to demand: Entra and Google sign the assertion (Google sometimes only the response). */
function signedPartsFor(preset: PresetName | undefined): 'assertion' | 'response' | 'either' | 'both' {
  return preset === 'okta' ? 'either' : 'either';
}

export function checkIdpUrl(raw: string, what: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('invalid_input', `${what} is not a URL: "${raw}"`, { details: { field: what } });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && allowInsecure) return url;
  throw new DomainError(
    'invalid_input',
    url.protocol === 'http:'
      ? `${what} must use https (set ALLOW_INSECURE_IDP_URLS=true only to test against an IdP on loopback)`
      : `${what} must be an https URL`,
    { details: { field: what } },
  );
}

async function fetchMetadata(rawUrl: string, options: SetupOptions): Promise<string> {
  const url = checkIdpUrl(rawUrl, 'metadata URL', options.allowInsecureIdpUrls);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  } catch (error) {
    throw new DomainError('invalid_input', `could not fetch the IdP metadata from ${url.href}: ${(error as Error).message}`, { cause: error });
  }
  if (response.status >= 300 && response.status < 400) {
    throw new DomainError('invalid_input', `the IdP metadata URL redirects (to ${response.headers.get('location') ?? '?'}); give the final URL`);
  }
  if (!response.ok) throw new DomainError('invalid_input', `the IdP metadata URL answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > METADATA_MAX_BYTES) throw new DomainError('invalid_input', `the IdP metadata is larger than ${METADATA_MAX_BYTES} bytes`);
  const body = await response.arrayBuffer();
  if (body.byteLength > METADATA_MAX_BYTES) throw new DomainError('invalid_input', `the IdP metadata is larger than ${METADATA_MAX_BYTES} bytes`);
  return new TextDecoder('utf-8', { fatal: false }).decode(body);
}

export async function prepareSamlConnection(request: SamlConnectionRequest, options: SetupOptions): Promise<SsoConnectionInput> {
  const preset = parsePreset(request.preset, 'saml');
  const sources = [request.metadataXml, request.metadataUrl, request.manual].filter((v) => v !== undefined).length;
  if (sources !== 1) {
    throw new DomainError('invalid_input', 'give the IdP as metadata XML, a metadata URL, or entity ID + sign-on URL + certificates (exactly one)', {
      details: { field: 'metadata' },
    });
  }
  const parsed = request.manual ? manualIdp(request.manual) : parseIdpMetadata(request.metadataXml ?? (await fetchMetadata(request.metadataUrl as string, options)));
  if (!parsed.ok) throw new DomainError('invalid_input', `IdP metadata: ${parsed.error}`, { details: { field: 'metadata' } });
  checkIdpUrl(parsed.value.ssoUrl, 'IdP sign-on URL', options.allowInsecureIdpUrls);
  const id = newId();
  const urls = samlConnectionUrls(options.publicUrl, id);
  const sp = await generateSpCredentials(urls.spEntityId);
  return {
    id,
    type: 'saml',
    name: request.name ?? parsed.value.entityId,
    preset,
    settings: {
      idpEntityId: parsed.value.entityId,
      ssoUrl: parsed.value.ssoUrl,
      certificates: parsed.value.certificates,
      signedParts: signedPartsFor(preset),
      allowIdpInitiated: request.allowIdpInitiated ?? false,
      clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS,
      spEntityId: urls.spEntityId,
      acsUrl: urls.acsUrl,
      spCertificatePem: sp.certificatePem,
      ...(request.metadataUrl === undefined ? {} : { metadataUrl: request.metadataUrl }),
    },
    mapping: presetMapping(preset, 'saml') as unknown as Record<string, unknown>,
    secret: sp.privateKeyPem,
  };
}

/** The same checks as metadata gets: a name, an https sign-on URL (checked by the caller), real certificates. */
function manualIdp(manual: { idpEntityId: string; ssoUrl: string; certificates: string[] }): { ok: true; value: IdpMetadata } | { ok: false; error: string } {
  const entityId = manual.idpEntityId.trim();
  if (entityId === '' || entityId.length > 1024) return { ok: false, error: 'the IdP entity ID must be 1 to 1024 characters' };
  const certificates = trustedIdpCertificates(manual.certificates);
  if (!certificates.ok) return certificates;
  return { ok: true, value: { entityId, ssoUrl: manual.ssoUrl.trim(), certificates: certificates.value, ssoBinding: 'HTTP-Redirect' } };
}

export async function prepareOidcConnection(request: OidcConnectionRequest, options: SetupOptions): Promise<SsoConnectionInput> {
  const preset = parsePreset(request.preset, 'oidc');
  checkIdpUrl(request.issuer, 'issuer', options.allowInsecureIdpUrls);
  if (request.clientId.trim() === '') throw new DomainError('invalid_input', 'client id is empty', { details: { field: 'clientId' } });
  if (request.clientSecret === '') throw new DomainError('invalid_input', 'client secret is empty', { details: { field: 'clientSecret' } });
  const discovered = await discoverOidcProvider(request.issuer, {
    allowInsecureRequests: options.allowInsecureIdpUrls,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  if (!discovered.ok) throw new DomainError('invalid_input', `OIDC discovery: ${discovered.error}`, { details: { field: 'issuer' } });
  const scopes = request.scopes ?? ['openid', 'email', 'profile'];
  if (!scopes.includes('openid')) scopes.unshift('openid');
  const id = newId();
  return {
    id,
    type: 'oidc',
    name: request.name ?? discovered.value.issuer,
    preset,
    settings: {
      issuer: discovered.value.issuer,
      clientId: request.clientId.trim(),
      provider: discovered.value,
      tokenEndpointAuthMethod: request.tokenEndpointAuthMethod ?? 'client_secret_basic',
      scopes,
      redirectUri: oidcRedirectUri(options.publicUrl, id),
    },
    mapping: presetMapping(preset, 'oidc') as unknown as Record<string, unknown>,
    secret: request.clientSecret,
  };
}

/** IdP certificates as an operator replaces them (a rotation): each must be an X.509 certificate. */
export function checkIdpCertificates(certificates: readonly string[]): string[] {
  const checked = trustedIdpCertificates(certificates);
  if (!checked.ok) throw new DomainError('invalid_input', checked.error, { details: { field: 'certificates' } });
  return checked.value;
}

/** An edited attribute/claim mapping, validated before it is stored. */
export function checkProfileMapping(raw: unknown): Record<string, unknown> {
  const parsed = parseProfileMapping(raw);
  if (!parsed.ok) throw new DomainError('invalid_input', `mapping: ${parsed.error}`, { details: { field: 'mapping' } });
  return parsed.value as unknown as Record<string, unknown>;
}
