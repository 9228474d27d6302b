/**
 * A demo SAML 2.0 IdP that plays a customer's IdP, so that Roster's SAML sign-in can be tried on
 * one machine. Built with samlify (a dev dependency: run it from a clone, after `npm ci`).
 *
 * DEMO ONLY, never for real people: there are no passwords (you pick one of the accounts below),
 * its key pair is new at every start (create the connection again after a restart), and it
 * answers any SAML service provider under Roster's `/sso/saml/`: it reads the one that asks from
 * the SP metadata Roster publishes (`<entity ID>/metadata`), and checks the AuthnRequest's
 * signature with the certificate found there.
 *
 *   npx tsx examples/test-idp/saml-idp.ts
 *
 * Environment: IDP_PORT (default 5556; 0 picks a free one), ROSTER_URL (default
 * http://127.0.0.1:3000). Its metadata is at http://127.0.0.1:5556/metadata:
 *   roster connection create --org acme --type saml --metadata-url http://127.0.0.1:5556/metadata
 * (with ALLOW_INSECURE_IDP_URLS=true: plain http).
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';
// Roster's own self-signed certificate maker, borrowed so that the demo needs no openssl.
import { generateSpCredentials } from '../../src/sso/saml/index.ts';

/** The people of this IdP: pick one on the login page. */
const ACCOUNTS: Record<string, { email: string; firstName: string; lastName: string; groups: string[] }> = {
  'demo-user-ada': { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace', groups: ['Engineering'] },
  'demo-user-grace': { email: 'grace@acme.example', firstName: 'Grace', lastName: 'Hopper', groups: ['Engineering', 'Admins'] },
};

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const port = Number(process.env.IDP_PORT ?? 5556);
const rosterUrl = (process.env.ROSTER_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

// samlify checks XML against the SAML schema only through a validator plugged in; the demo
// plugs in none (Roster, the SP, validates what it receives).
samlify.setSchemaValidator({ validate: async () => 'skipped' });

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const keys = await generateSpCredentials('Roster demo SAML IdP');
const idp = samlify.IdentityProvider({
  entityID: `${base}/metadata`,
  privateKey: keys.privateKeyPem,
  signingCert: keys.certificatePem,
  nameIDFormat: [EMAIL_FORMAT],
  wantAuthnRequestsSigned: true,
  singleSignOnService: [{ Binding: REDIRECT, Location: `${base}/sso` }],
});

/** AuthnRequests waiting for the person to pick an account, by a random key in the login form. */
const pending = new Map<string, { sp: samlify.ServiceProviderInstance; requestId: string; relayState: string | undefined }>();

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', base);
  const route =
    url.pathname === '/metadata' ? metadata(res)
    : url.pathname === '/sso' && req.method === 'GET' ? authnRequest(req, res)
    : url.pathname === '/sso/login' && req.method === 'POST' ? login(req, res)
    : Promise.resolve(void res.writeHead(404).end());
  route.catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`demo SAML IdP: ${error instanceof Error ? error.message : String(error)}`);
  });
});

async function metadata(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.getMetadata());
}

/** GET /sso?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=… (HTTP-Redirect): the login page. */
async function authnRequest(req: IncomingMessage, res: ServerResponse) {
  const query = Object.fromEntries(new URL(req.url ?? '/', base).searchParams);
  if (!query.SAMLRequest) throw new Error('no SAMLRequest');
  const xml = inflateRawSync(Buffer.from(query.SAMLRequest, 'base64')).toString('utf8');
  const { issuer } = samlify.Extractor.extract(xml, samlify.Extractor.loginRequestFields) as { issuer?: string };
  if (!issuer?.startsWith(`${rosterUrl}/sso/saml/`)) throw new Error(`this demo IdP answers Roster's connections under ${rosterUrl}/sso/saml/ only, not ${issuer}`);
  const spMetadata = await fetch(`${issuer}/metadata`);
  if (!spMetadata.ok) throw new Error(`no SP metadata at ${issuer}/metadata (${spMetadata.status})`);
  const sp = samlify.ServiceProvider({ metadata: await spMetadata.text() });
  // The signature covers the parameters exactly as they were encoded in the URL.
  const encoded = new Map((req.url ?? '').split('?')[1]?.split('&').map((pair) => pair.split('=', 2) as [string, string]));
  const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].filter((name) => encoded.has(name)).map((name) => `${name}=${encoded.get(name)}`).join('&');
  const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
  const relayState = query.RelayState;
  const key = randomUUID();
  pending.set(key, { sp, requestId: (parsed.extract as { request: { id: string } }).request.id, relayState });
  setTimeout(() => pending.delete(key), 10 * 60_000).unref();

  const buttons = Object.entries(ACCOUNTS)
    .map(([id, a]) => `<p><button name="account" value="${id}">${esc(`${a.firstName} ${a.lastName}`)} &lt;${esc(a.email)}&gt;</button></p>`)
    .join('');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Demo SAML IdP</title><h1>Demo SAML IdP: sign in</h1>` +
      `<p>${esc(issuer)} asks who you are. This is a demo IdP: no passwords, pick an account.</p>` +
      `<form method="post" action="/sso/login"><input type="hidden" name="key" value="${key}">${buttons}</form>`,
  );
}

/** POST /sso/login: a signed SAMLResponse for the chosen account, in a form that posts itself to the ACS. */
async function login(req: IncomingMessage, res: ServerResponse) {
  const form = new URLSearchParams(await readBody(req));
  const request = pending.get(form.get('key') ?? '');
  pending.delete(form.get('key') ?? '');
  const account = ACCOUNTS[form.get('account') ?? ''];
  if (!request || !account) throw new Error('unknown or expired sign-in, or unknown account: start again at the app');
  const acsUrl = request.sp.entityMeta.getAssertionConsumerService('post') as string;
  const id = `_${randomUUID()}`;
  const xml = responseXml({ id, acsUrl, spEntityId: request.sp.entityMeta.getEntityID(), inResponseTo: request.requestId, account });
  // samlify signs what Roster's metadata asks for (WantAssertionsSigned) and base64-encodes it.
  const { context } = await idp.createLoginResponse(request.sp, {} as never, 'post', {}, { customTagReplacement: () => ({ id, context: xml }) });
  const relay = request.relayState === undefined ? '' : `<input type="hidden" name="RelayState" value="${esc(request.relayState)}">`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Signing in…</title><body onload="document.forms[0].submit()">` +
      `<form method="post" action="${esc(acsUrl)}"><input type="hidden" name="SAMLResponse" value="${esc(context)}">${relay}` +
      `<noscript><button>Continue</button></noscript></form></body>`,
  );
}

function responseXml(r: { id: string; acsUrl: string; spEntityId: string; inResponseTo: string; account: (typeof ACCOUNTS)[string] }): string {
  const now = new Date();
  const [instant, later] = [now.toISOString(), new Date(now.getTime() + 5 * 60_000).toISOString()];
  const attribute = (name: string, values: string[]) =>
    `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
  const { email, firstName, lastName, groups } = r.account;
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${r.id}" Version="2.0" IssueInstant="${instant}" Destination="${esc(r.acsUrl)}" InResponseTo="${esc(r.inResponseTo)}">` +
    `<saml:Issuer>${esc(idp.entityMeta.getEntityID())}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_${randomUUID()}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${esc(idp.entityMeta.getEntityID())}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${EMAIL_FORMAT}">${esc(email)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${later}" Recipient="${esc(r.acsUrl)}" InResponseTo="${esc(r.inResponseTo)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${instant}" NotOnOrAfter="${later}"><saml:AudienceRestriction><saml:Audience>${esc(r.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attribute('email', [email])}${attribute('firstName', [firstName])}${attribute('lastName', [lastName])}${attribute('groups', groups)}</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

console.log(`demo SAML IdP listening on ${base} (metadata ${base}/metadata, answering Roster's SPs under ${rosterUrl}/sso/saml/)`);
