/**
 * A Roster server over a test database, on a real socket (oidc-provider needs the raw Node
 * request, which only a real server has): the app as main.ts builds it, with its OpenID Provider
 * and sign-in routes, PUBLIC_URL being the address it listens on.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { checkSecret } from '../../src/directory/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { createSignInProvider, type RosterProvider } from '../../src/sso/index.ts';
import { TEST_SECRET } from './app.ts';
import { capturedLogger } from './logger.ts';

export interface TestRosterServer {
  url: string;
  box: SecretBox;
  rp: RosterProvider;
  logs: string[];
  close(): Promise<void>;
}

/** `clock`: the time the app's verbs and sign-in pages read (invitation and code expiry); tests move it. */
export async function startRosterServer(handle: DatabaseHandle, env: Record<string, string> = {}, options: { clock?: () => Date } = {}): Promise<TestRosterServer> {
  const ready: { app?: Hono } = {};
  const server = createAdaptorServer({
    fetch: (request, bindings) => (ready.app ? ready.app.fetch(request, bindings) : new Response('starting', { status: 503 })),
  }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = parseConfig({ PUBLIC_URL: url, ROSTER_SECRET: TEST_SECRET, ...env });
  const box = SecretBox.fromSecrets(TEST_SECRET);
  await checkSecret(handle.db, box);
  const { logger, lines } = capturedLogger();
  const rp = await createSignInProvider({ db: handle.db, box, publicUrl: url, secret: TEST_SECRET, logger });
  ready.app = createApp({ handle, config, logger, box, provider: rp, clock: options.clock });
  return {
    url,
    box,
    rp,
    logs: lines,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
