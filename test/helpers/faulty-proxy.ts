/**
 * A real network fault between the CLI and the emulator: a loopback HTTP proxy that forwards
 * every request, and for the requests `fault` picks either forwards them and then hangs up
 * without answering (the answer is lost after the server acted, as on a connection reset),
 * or forwards a rewritten body (a server that ignored a parameter). No mock: the CLI's SDK,
 * the emulator and the bytes between them are real.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = { kind: 'lose-answer' } | { kind: 'rewrite'; body: string };

export interface FaultyProxy {
  url: string;
  /** The Action of every request, in arrival order. */
  actions: string[];
  close(): Promise<void>;
}

export async function startFaultyProxy(
  upstreamUrl: string,
  fault: (body: string, action: string) => Fault | undefined,
): Promise<FaultyProxy> {
  const upstream = new URL(upstreamUrl);
  const actions: string[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    const action = new URLSearchParams(body).get('Action') ?? '';
    actions.push(action);
    const chosen = fault(body, action);
    if (chosen?.kind === 'rewrite') body = chosen.body;
    const headers = { ...request.headers, 'content-length': String(Buffer.byteLength(body)), host: upstream.host };
    const answer = await new Promise<{ res: IncomingMessage; data: Buffer }>((resolve, reject) => {
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers },
        async (res) => {
          const parts: Buffer[] = [];
          for await (const part of res) parts.push(part as Buffer);
          resolve({ res, data: Buffer.concat(parts) });
        },
      );
      forwarded.on('error', reject);
      forwarded.end(body);
    }).catch(() => undefined);
    if (!answer || chosen?.kind === 'lose-answer') {
      request.socket.destroy(); // the server acted; its answer never arrives
      return;
    }
    response.writeHead(answer.res.statusCode ?? 502, answer.res.headers);
    response.end(answer.data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    actions,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
