import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

/**
 * Browsers and fetch clients open spare connections that may never carry a request; Node's
 * close() does not count them as idle and would wait for its request timeout. On close, such
 * sockets (nothing read from them) are destroyed: no request can be lost with them.
 */
export function closeUnusedSocketsOnClose(app: FastifyInstance): void {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.addHook('preClose', (done) => {
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    done();
  });
}
