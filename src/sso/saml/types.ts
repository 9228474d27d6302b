/** What Roster knows about one customer IdP: one per SAML connection, stored by the caller. */
export interface SamlIdpSettings {
  /** The IdP issuer expected, exactly, in the Response and Assertion `Issuer`. */
  entityId: string;
  /** Where AuthnRequests go (HTTP-Redirect binding). */
  ssoUrl: string;
  /**
   * IdP signing certificates, PEM or bare base64. Every one is trusted, so a rotation can publish the
   * next certificate before it signs. Keys are never taken from a message's KeyInfo.
   */
  certificates: string[];
  /**
   * Which signatures are required. Entra signs the assertion only by default; Google signs one or the
   * other, never both; Okta signs both. 'either' means at least one valid signature covers the assertion.
   */
  signedParts: 'assertion' | 'response' | 'either' | 'both';
  allowIdpInitiated: boolean;
  clockSkewSeconds: number;
}

/** Roster's side of one connection: each connection has its own entity ID, ACS URL and key pair. */
export interface SamlSpSettings {
  entityId: string;
  acsUrl: string;
  privateKeyPem: string;
  certificatePem: string;
}

export type SsoBinding = 'HTTP-Redirect' | 'HTTP-POST';

export type IdpMetadata = {
  entityId: string;
  ssoUrl: string;
  /** Which binding `ssoUrl` belongs to: Roster sends HTTP-Redirect, so HTTP-POST needs the caller's attention. */
  ssoBinding: SsoBinding;
  /** Bare base64 DER, one per distinct signing certificate. */
  certificates: string[];
};

export interface SamlAssertion {
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  sessionIndex: string | undefined;
  assertionId: string;
  /** The earliest of the Conditions and SubjectConfirmationData NotOnOrAfter. */
  notOnOrAfter: Date;
  inResponseTo: string | undefined;
  /** Every attribute normalised to an array of strings, whatever the IdP sent. */
  attributes: Record<string, string[]>;
}

export type SamlRefusal =
  | 'malformed'
  | 'unsafe_xml'
  | 'too_large'
  | 'unsigned'
  | 'bad_signature'
  | 'weak_algorithm'
  | 'wrapped'
  | 'multiple_assertions'
  | 'comment_in_name_id'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_recipient'
  | 'wrong_destination'
  | 'expired'
  | 'not_yet_valid'
  | 'unsolicited'
  | 'in_response_to_mismatch'
  | 'replayed'
  | 'status_not_success'
  | 'decryption_failed'
  /** The connection has no usable IdP certificate: nothing can be verified, so nothing is accepted. */
  | 'idp_certificate_invalid';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type Refused = { ok: false; reason: SamlRefusal; detail: string };
export type ValidationResult<T> = { ok: true; value: T } | Refused;

export const refuse = (reason: SamlRefusal, detail: string): Refused => ({ ok: false, reason, detail });
