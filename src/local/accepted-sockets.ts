/**
 * Every socket a server accepted, until it closes, so that close() can end them all.
 * server.close() waits for every accepted connection to end, and the ones a proxy does not
 * track yet (a TLS handshake in progress, a first byte not yet read) can wait forever:
 * with allowHalfOpen a peer that died mid-handshake leaves its socket half open (seen: a
 * serverless endpoint's close() hung on one after its replica was killed).
 */
import type { Server, Socket } from 'node:net';

/** Starts tracking `server`'s connections; the returned function destroys those still open. */
export function trackAcceptedSockets(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
}
