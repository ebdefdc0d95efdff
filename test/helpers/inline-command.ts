/**
 * One inline command on a fresh connection, plain or TLS, resolving with the first reply line.
 * Raw on purpose: ioredis would send HELLO/AUTH first, and these tests look at what a bare client gets.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export function inlineCommand(target: { host?: string; port: number; ca?: Buffer }, command: string): Promise<string> {
  const host = target.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const send = () => socket.write(`${command}\r\n`);
    const socket: Socket =
      target.ca === undefined
        ? connect(target.port, host, send)
        : tlsConnect({ host, port: target.port, ca: target.ca }, send);
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
    // A server that hangs up without a full line (a TLS port given plain RESP) answers 'closed'.
    socket.on('close', () => resolve(reply.split('\r\n')[0] || 'closed'));
  });
}
