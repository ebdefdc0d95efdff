/**
 * A minimal RESP2 client: one TCP connection, requests answered in order.
 * The emulator only needs a handful of admin commands (PING, AUTH, INFO, REPLICAOF),
 * so this avoids pulling a full client (and its reconnect logic) into the process layer.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { withSharedContext } from '../tls-context.js';

export type RespValue = string | number | null | RespValue[];

/** A `-ERR …` reply from the server (the connection stays usable). */
export class RespError extends Error {
  override readonly name = 'RespError';
}

export interface RespConnectOptions {
  host: string;
  port: number;
  /** Sent as AUTH right after connecting. */
  password?: string;
  /** With `password`: AUTH as this ACL user instead of `default`. */
  username?: string;
  /** Applies to connecting and to each reply. Default 2000 ms. */
  timeoutMs?: number;
  /** Speak TLS, trusting this CA (and checking the certificate names `host`). */
  tls?: { ca: Buffer | string };
}

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
}

/** Parses one RESP value from `buffer` at `offset`; undefined when the buffer is incomplete. */
export function parseResp(buffer: Buffer, offset = 0): { value: RespValue | RespError; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buffer, next);
        if (!item) return undefined;
        // An error nested in an array (e.g. EXEC) is kept as its message.
        items.push(item.value instanceof RespError ? item.value.message : item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const data = Buffer.from(String(arg));
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closedError: Error | undefined;
  /** True while this tick's commands are being gathered into one write (see call). */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static async open(options: RespConnectOptions): Promise<RespConnection> {
    const timeoutMs = options.timeoutMs ?? 2000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const socket: Socket = options.tls
        ? tlsConnect(
            withSharedContext({
              host: options.host,
              port: options.port,
              ca: options.tls.ca,
              servername: isIpLiteral(options.host) ? undefined : options.host,
            }),
          )
        : connect({ host: options.host, port: options.port });
      const ready = options.tls ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${options.host}:${options.port} timed out`));
      }, timeoutMs);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    socket.setNoDelay(true);
    const connection = new RespConnection(socket, timeoutMs);
    if (options.password !== undefined) {
      try {
        await (options.username !== undefined
          ? connection.call('AUTH', options.username, options.password)
          : connection.call('AUTH', options.password));
      } catch (error) {
        connection.close();
        throw error;
      }
    }
    return connection;
  }

  /** Sends one command and resolves with its reply; a server error rejects with RespError. */
  call(...args: (string | number)[]): Promise<RespValue> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`${String(args[0])} got no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.push({
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      // Commands sent in one tick (a Promise.all of SETSLOTs, say) go out in one write:
      // corked until the tick ends, then flushed with a single writev.
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(this.uncork);
      }
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      let parsed;
      try {
        parsed = parseResp(this.buffer, offset);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      const waiter = this.pending.shift();
      if (!waiter) continue; // an unsolicited reply: nothing asked for it
      if (parsed.value instanceof RespError) waiter.reject(parsed.value);
      else waiter.resolve(parsed.value);
    }
    this.buffer = offset >= this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }

  private fail(error: Error): void {
    if (!this.closedError) this.closedError = error;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** Opens a connection, sends one command, closes. */
export async function respCommand(options: RespConnectOptions, ...args: (string | number)[]): Promise<RespValue> {
  const connection = await RespConnection.open(options);
  try {
    return await connection.call(...args);
  } finally {
    connection.close();
  }
}

/** Parses INFO output into a field map (`role` → `slave`, `master_link_status` → `up` …). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
