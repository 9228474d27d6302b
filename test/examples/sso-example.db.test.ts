/**
 * The SSO quick start of the README, run: Roster (in process, over a real socket), the demo IdPs
 * (examples/test-idp/oidc-idp.ts and saml-idp.ts) and the example app (examples/sso-app/app.ts)
 * as processes of their own, started the way a user starts them, and a browser (fetch with one
 * cookie jar, as a browser keeps one per host whatever the port) from the app's sign-in link
 * through Roster and the IdP's login page back to the app's page of claims.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizationDomain, createSsoConnection, registerApp, type OrgContext } from '../../src/directory/index.ts';
import { prepareOidcConnection, prepareSamlConnection } from '../../src/sso/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { browse, CookieJar } from '../support/test-app-client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A TypeScript process started through tsx takes seconds to listen on a busy 2-core machine. */
const START_MS = 90_000;

const database = useTestDatabase();

interface Example {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

/** `node --import tsx <file>` with `env`, resolved once it prints its "listening on <url>" line. */
function startExample(file: string, env: Record<string, string>): Promise<Example> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${file} did not listen within ${START_MS} ms:\n${output.join('')}`));
    }, START_MS);
    const feed = (chunk: Buffer) => {
      output.push(chunk.toString());
      const url = /listening on (http:\/\/\S+)/.exec(output.join(''))?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, output, stop });
      }
    };
    child.stdout!.on('data', feed);
    child.stderr!.on('data', feed);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${file} exited before listening:\n${output.join('')}`));
    });
  });
}

/** A port nobody listens on now: the app's redirect URI must be registered before the app starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe(`the SSO quick start (example app, demo IdPs) on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let samlOrg: OrgContext;
  let idp: Example | undefined;
  let samlIdp: Example | undefined;
  let app: Example | undefined;

  beforeAll(async () => {
    server = await startRosterServer(database.handle, { ALLOW_INSECURE_IDP_URLS: 'true' });
    org = await createTestOrganization(database.handle);

    // The demo IdP first: creating the connection reads its discovery document.
    idp = await startExample('examples/test-idp/oidc-idp.ts', { IDP_PORT: '0', ROSTER_URL: server.url });
    const prepared = await prepareOidcConnection(
      { issuer: idp.url, clientId: 'roster', clientSecret: 'demo-secret' },
      { publicUrl: server.url, allowInsecureIdpUrls: true },
    );
    await createSsoConnection(org, server.box, prepared);
    await addOrganizationDomain(org, { domain: 'acme.example', verified: true });

    // Another organization signs in through the demo SAML IdP, read from its metadata URL.
    samlOrg = await createTestOrganization(database.handle);
    samlIdp = await startExample('examples/test-idp/saml-idp.ts', { IDP_PORT: '0', ROSTER_URL: server.url });
    await createSsoConnection(
      samlOrg,
      server.box,
      await prepareSamlConnection({ metadataUrl: `${samlIdp.url}/metadata` }, { publicUrl: server.url, allowInsecureIdpUrls: true }),
    );

    const appPort = await freePort();
    const registered = await registerApp(database.handle.db, server.box, { name: 'Demo', redirectUris: [`http://127.0.0.1:${appPort}/callback`] });
    app = await startExample('examples/sso-app/app.ts', {
      ROSTER_ISSUER: server.url,
      CLIENT_ID: registered.clientId,
      CLIENT_SECRET: registered.clientSecret,
      PORT: String(appPort),
    });
  }, 5 * START_MS);

  afterAll(async () => {
    await app?.stop();
    await idp?.stop();
    await samlIdp?.stop();
    await server?.close();
  });

  /** From the app's sign-in link to the IdP's login page, a click on `account`, and back to the app. */
  async function signIn(login: string, account: string) {
    const jar = new CookieJar();
    const toIdp = await browse(new URL(login, app!.url), { jar });
    expect(toIdp.visited.at(-1)!.startsWith(`${idp!.url}/login/`)).toBe(true);
    expect(toIdp.visited.some((url) => url.startsWith(`${server.url}/oauth2/authorize`))).toBe(true);
    const form = await toIdp.response.text();
    expect(form).toContain(`value="${account}"`);
    const action = /action="([^"]+)"/.exec(form)![1]!;

    const picked = await fetch(new URL(action, idp!.url), {
      method: 'POST',
      body: new URLSearchParams({ account }),
      headers: { cookie: jar.header() },
      redirect: 'manual',
    });
    jar.store(picked);
    const location = picked.headers.get('location');
    if (!location) throw new Error(`the demo IdP answered ${picked.status}: ${await picked.text()}`);
    const back = await browse(new URL(location, idp!.url), { jar });
    expect(back.visited.some((url) => url.startsWith(`${server.url}/sso/oidc/`))).toBe(true);
    expect(back.visited.at(-1)!.startsWith(`${app!.url}/callback?`)).toBe(true);
    return { status: back.response.status, page: await back.response.text() };
  }

  it('signs a person in by organization and shows their claims: email, org, groups, the IdP', async () => {
    const { status, page } = await signIn(`/login?organization=${org.organization.slug}`, 'demo-user-ada');
    expect(status).toBe(200);
    expect(page).toContain('Signed in as ada@acme.example');
    expect(page).toContain(`&quot;slug&quot;:&quot;${org.organization.slug}&quot;`);
    expect(page).toContain('&quot;Engineering&quot;');
    expect(page).toContain('&quot;type&quot;:&quot;oidc&quot;');
    expect(page).toContain('Lovelace');
  }, 60_000);

  it('signs a person in by work email, through the verified domain', async () => {
    const { status, page } = await signIn('/login?login_hint=grace@acme.example', 'demo-user-grace');
    expect(status).toBe(200);
    expect(page).toContain('Signed in as grace@acme.example');
    expect(page).toContain(`&quot;slug&quot;:&quot;${org.organization.slug}&quot;`);
  }, 60_000);

  it('shows the refusal when the person cancels at the IdP', async () => {
    const jar = new CookieJar();
    const toIdp = await browse(new URL(`/login?organization=${org.organization.slug}`, app!.url), { jar });
    const action = /action="([^"]+)"/.exec(await toIdp.response.text())![1]!;
    const cancelled = await fetch(new URL(action, idp!.url), {
      method: 'POST',
      body: new URLSearchParams({ cancel: '1' }),
      headers: { cookie: jar.header() },
      redirect: 'manual',
    });
    jar.store(cancelled);
    const end = await browse(new URL(cancelled.headers.get('location')!, idp!.url), { jar });
    // Roster shows its own page with a reference: the IdP's error never reaches the app as a sign-in.
    expect(end.response.status).toBe(400);
    expect(end.visited.at(-1)!.startsWith(`${server.url}/sso/oidc/`)).toBe(true);
  }, 60_000);

  it('signs a person in through the demo SAML IdP: login page, auto-posted response, claims', async () => {
    const jar = new CookieJar();
    const toIdp = await browse(new URL(`/login?organization=${samlOrg.organization.slug}`, app!.url), { jar });
    expect(toIdp.visited.at(-1)!.startsWith(`${samlIdp!.url}/sso?SAMLRequest=`)).toBe(true);
    const loginPage = await toIdp.response.text();
    expect(toIdp.response.status, loginPage).toBe(200);
    const key = /name="key" value="([^"]+)"/.exec(loginPage)![1]!;

    const picked = await fetch(new URL('/sso/login', samlIdp!.url), { method: 'POST', body: new URLSearchParams({ key, account: 'demo-user-grace' }) });
    const autoPost = await picked.text();
    expect(picked.status, autoPost).toBe(200);
    const acsUrl = /<form method="post" action="([^"]+)"/.exec(autoPost)![1]!;
    expect(acsUrl).toMatch(new RegExp(`^${server.url}/sso/saml/[0-9a-f-]{36}/acs$`));
    const field = (name: string) => /value="([^"]*)"/.exec(autoPost.slice(autoPost.indexOf(`name="${name}"`)))![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');

    // What the page's script does: post the form to Roster's ACS.
    const acs = await fetch(acsUrl, {
      method: 'POST',
      body: new URLSearchParams({ SAMLResponse: field('SAMLResponse'), RelayState: field('RelayState') }),
      headers: { cookie: jar.header() },
      redirect: 'manual',
    });
    jar.store(acs);
    const location = acs.headers.get('location');
    if (!location) throw new Error(`Roster's ACS answered ${acs.status}: ${await acs.text()}`);
    const back = await browse(new URL(location, acsUrl), { jar });
    expect(back.visited.at(-1)!.startsWith(`${app!.url}/callback?`)).toBe(true);
    const page = await back.response.text();
    expect(back.response.status).toBe(200);
    expect(page).toContain('Signed in as grace@acme.example');
    expect(page).toContain(`&quot;slug&quot;:&quot;${samlOrg.organization.slug}&quot;`);
    expect(page).toContain('&quot;type&quot;:&quot;saml&quot;');
    expect(page).toContain('&quot;Admins&quot;');
  }, 60_000);
});
