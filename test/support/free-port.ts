import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 now (the OS picks it; it is closed again before returning). No other dependency: the bench and the global set-up use it too. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
