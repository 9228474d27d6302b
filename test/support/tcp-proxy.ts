/**
 * A TCP proxy in front of a real server that a test can cut and restore. close() drops every
 * connection and stops listening (clients get ECONNREFUSED, as from a database that went away);
 * stall() drops every connection and then accepts new ones but never answers (a network that
 * swallows packets, which only a connect timeout ends); open() forwards again on the same port.
 */
import net, { type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  close(): Promise<void>;
  stall(): Promise<void>;
  open(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let forwarding = true;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset while cut is the point of the exercise, not a test failure.
    socket.on('error', () => {});
  };

  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const listening = net.createServer((client) => {
        track(client);
        if (!forwarding) return;
        const upstream = net.connect(target.port, target.host);
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as AddressInfo).port;
        server = listening;
        resolve();
      });
    });

  const close = async () => {
    const listening = server;
    server = undefined;
    dropConnections();
    if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    close,
    async stall() {
      forwarding = false;
      dropConnections();
      if (!server) await listen();
    },
    async open() {
      forwarding = true;
      dropConnections();
      if (!server) await listen();
    },
  };
}
