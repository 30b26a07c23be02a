/** Starting and stopping a sandbox's node:http server. */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `host` (brackets around an IPv6 address allowed) and resolves the bound port. */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[(.*)\]$/, '$1'), () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting and drops open (keep-alive) connections, so close() does not wait for them. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
