/**
 * The hot path: one load-generating connection speaking RESP directly on a socket.
 *
 * Why not ioredis here: ioredis builds a Command object, a Promise and argument strings
 * for every request and parses every reply into a JS value; at the rates redis-benchmark
 * reaches (1M+ ops/s pipelined on this machine) that allocation dominates. This client
 * keeps the in-flight requests in typed-array rings, encodes commands from prebuilt byte
 * heads straight into one output buffer per flush, and only classifies replies (OK, hit,
 * miss, error) without decoding them. ioredis does everything else in bench (prefill
 * checks, lag probes, INFO, cleanup).
 *
 * Closed loop by default: `pipeline` requests in flight, each reply sends the next one.
 * With a rate (open loop) requests are sent on a schedule and latency counts from the
 * intended send time, so a stalled server cannot hide its stall (coordinated omission).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { OP_SET, type KeyPicker, type Keyspace, type RatioSequence } from './keyspace.js';
import { isThrottled, throttledRetryPause, type NodeStats } from './stats.js';
import type { Scheduled } from './schedule.js';
import { hostOr } from './slot-map.js';
import { withSharedContext } from '../tls-context.js';

// Connection set-up commands: answered before (or between) the load, never counted.
const OP_AUTH = 2;
const OP_READONLY = 3;
const OP_READWRITE = 4;

/**
 * A MOVED or ASK reply to a load request: the request (SET or GET of key index `key`,
 * started at `start`) must be retried at host:port (after ASKING for an ASK).
 */
export type RedirectHandler = (redirect: {
  isSet: boolean;
  key: number;
  start: number;
  ask: boolean;
  host: string;
  port: number;
}) => void;

export interface NodeAddress {
  host: string;
  port: number;
  /** TLS options (servername, ca, rejectUnauthorized) when the node needs TLS. */
  tls?: TlsConnectionOptions;
  username?: string;
  password?: string;
}

/** Shared by every connection of a run. */
export class RunControl {
  /** Count what happens (false during prefill and warmup). */
  recording = false;
  /** Stop issuing; in-flight requests still complete. */
  stopping = false;
  /** Requests issued in the measured phase, against `limit` (--requests). */
  issued = 0;
  limit = Number.POSITIVE_INFINITY;
  /** Called when `limit` requests have completed. */
  onLimitReached?: () => void;
  completed = 0;

  mayIssue(): boolean {
    if (this.stopping) return false;
    if (this.recording && this.issued >= this.limit) return false;
    return true;
  }
}

export interface ConnectionWorkload {
  keyspace: Keyspace;
  keys: KeyPicker;
  /** null: the connection stays open but sends nothing (a cluster node with nothing to serve now). */
  ratio: RatioSequence | null;
  /** Cluster: send READONLY at connect, so a replica serves reads of its shard's slots. */
  readOnly?: boolean;
  /** Cluster: MOVED/ASK replies go here instead of counting as errors. */
  onRedirect?: RedirectHandler;
  /** Prefill: the key index of a request a serverless cache throttled (to write it again). */
  onThrottled?: (key: number) => void;
  /** Requests in flight (closed loop) or the most allowed in flight (open loop). */
  pipeline: number;
  /** Open loop: requests per second for this connection; 0 = closed loop. */
  ratePerSecond: number;
  /** A request older than this fails the connection (ms). */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
}

export class LoadConnection implements Scheduled {
  private socket?: Socket;
  private ready = false;
  private closed = false;
  private attempts = 0;
  private reconnectTimer?: NodeJS.Timeout;
  // In-flight requests, oldest at `head`.
  private readonly starts: Float64Array;
  private readonly kinds: Uint8Array;
  /** The key index of each in-flight request (to retry it elsewhere on MOVED/ASK). */
  private readonly keys: Uint32Array;
  private readonly capacity: number;
  private head = 0;
  private count = 0;
  // Reply parser state across chunks.
  private skip = 0;
  private partial: Buffer | null = null;
  private nextIntended = 0;
  private readOnlySent = false;
  /** AUTH, READONLY or READWRITE sent and not yet answered: the load waits for them. */
  private setupPending = 0;
  private setupThrottled = 0;
  private setupRetryTimer?: NodeJS.Timeout;
  private readonly authCommand?: Buffer;
  private readonly readBuffer?: Buffer;

  constructor(
    private readonly address: NodeAddress,
    private work: ConnectionWorkload,
    private readonly stats: NodeStats,
    private readonly control: RunControl,
  ) {
    this.capacity = work.pipeline + 3; // + AUTH and READONLY at connect, or a READONLY/READWRITE switch
    this.starts = new Float64Array(this.capacity);
    this.kinds = new Uint8Array(this.capacity);
    this.keys = new Uint32Array(this.capacity);
    if (address.password !== undefined) {
      const args = address.username ? ['AUTH', address.username, address.password] : ['AUTH', address.password];
      this.authCommand = encodeCommand(args);
    }
    if (!address.tls) this.readBuffer = Buffer.allocUnsafe(64 * 1024);
  }

  /** Connects (and keeps reconnecting after failures until close()). */
  start(): void {
    this.open();
  }

  get inFlight(): number {
    return this.count;
  }

  /** Open loop: when the next request is due; Infinity while none can be sent (a reply frees the window). */
  nextDue(): number {
    if (this.work.ratePerSecond <= 0 || !this.ready || !this.socket || !this.work.ratio || this.setupPending > 0)
      return Number.POSITIVE_INFINITY;
    return this.count < this.work.pipeline ? this.nextIntended : Number.POSITIVE_INFINITY;
  }

  /** Open loop: sends every request whose intended time has come. */
  tick(now: number): void {
    if (this.work.ratePerSecond > 0) this.sendDue(now);
    // A request that never gets an answer (server hung, network black hole) fails the connection.
    if (this.count > 0 && now - this.starts[this.head]! > this.work.requestTimeoutMs && this.socket) {
      this.socket.destroy(new Error(`no reply within ${this.work.requestTimeoutMs} ms`));
    }
  }

  /**
   * Cluster: serve other keys, with another mix (null: nothing), as a replica (READONLY) or
   * not, after the slot map changed. Takes effect from the next request.
   */
  retarget(keys: KeyPicker, ratio: RatioSequence | null, readOnly: boolean): void {
    this.work = { ...this.work, keys, ratio, readOnly };
    if (this.ready && this.socket && readOnly !== this.readOnlySent) {
      this.sendSetup(readOnly ? OP_READONLY : OP_READWRITE);
      this.readOnlySent = readOnly;
    }
    if (this.socket) scheduleFill(this);
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    clearTimeout(this.setupRetryTimer);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): void {
    if (this.closed) return;
    this.ready = false;
    this.head = 0;
    this.count = 0;
    this.skip = 0;
    this.partial = null;
    this.setupPending = 0;
    this.setupThrottled = 0;
    clearTimeout(this.setupRetryTimer);
    const { host, port } = this.address;
    let socket: Socket;
    if (this.address.tls) {
      socket = tlsConnect(withSharedContext({ host, port, ...this.address.tls }));
      socket.on('data', (chunk: Buffer) => this.onChunk(chunk, chunk.length));
    } else {
      const buffer = this.readBuffer!;
      socket = netConnect({
        host,
        port,
        noDelay: true,
        // onread hands us bytes in one reused buffer, skipping the stream 'data' machinery.
        onread: {
          buffer,
          callback: (nread: number, buf: Uint8Array) => {
            this.onChunk(buf as Buffer, nread);
            return true;
          },
        },
      });
    }
    socket.setNoDelay(true);
    socket.setTimeout(this.work.connectTimeoutMs);
    socket.once('timeout', () => socket.destroy(new Error(`connect timed out after ${this.work.connectTimeoutMs} ms`)));
    socket.once(this.address.tls ? 'secureConnect' : 'connect', () => this.onConnected(socket));
    socket.on('error', (error) => this.onFailure(socket, error.message));
    socket.on('close', () => this.onFailure(socket, 'connection closed'));
    this.socket = socket;
  }

  private onConnected(socket: Socket): void {
    if (socket !== this.socket) return;
    socket.setTimeout(0);
    this.ready = true;
    this.nextIntended = performance.now();
    this.readOnlySent = this.work.readOnly === true;
    if (this.authCommand || this.readOnlySent) {
      if (this.authCommand) this.sendSetup(OP_AUTH);
      if (this.readOnlySent) this.sendSetup(OP_READONLY);
      return; // the load starts once these are answered
    }
    this.attempts = 0;
    this.fill(performance.now());
  }

  private onFailure(socket: Socket, reason: string): void {
    if (socket !== this.socket || this.closed) return;
    this.socket = undefined;
    socket.destroy();
    const now = performance.now();
    if (this.control.recording) this.stats.errors += this.count > 0 ? this.count : 1;
    this.stats.markFailure(now, reason);
    this.ready = false;
    this.count = 0;
    if (this.control.stopping) return;
    // Retry without end: a node that comes back rejoins the run.
    const delay = Math.min(1000, 50 * 2 ** Math.min(this.attempts++, 5));
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  /** AUTH, READONLY or READWRITE: the load waits until it is answered. */
  private sendSetup(kind: number): void {
    this.setupPending++;
    this.writeSetup(kind);
  }

  private writeSetup(kind: number): void {
    this.push(kind, performance.now(), 0);
    this.socket!.write(kind === OP_AUTH ? this.authCommand! : kind === OP_READONLY ? READONLY : READWRITE);
  }

  /**
   * A set-up command a serverless cache throttled (its ECPU/s limit counts every command):
   * sent again after a pause, the load still waiting (requests sent before a READONLY was
   * taken would be answered MOVED). False once whileThrottled would give up too.
   */
  private retrySetup(kind: number): boolean {
    const pause = throttledRetryPause(this.setupThrottled++);
    if (pause === undefined) return false;
    const socket = this.socket;
    this.setupRetryTimer = setTimeout(() => {
      if (socket === this.socket && !this.closed) this.writeSetup(kind);
    }, pause);
    return true;
  }

  private push(kind: number, start: number, key: number): void {
    const slot = (this.head + this.count) % this.capacity;
    this.starts[slot] = start;
    this.kinds[slot] = kind;
    this.keys[slot] = key;
    this.count++;
  }

  /** Closed loop: tops the window up to `pipeline` requests in one write. */
  private fill(now: number): void {
    if (this.work.ratePerSecond > 0) {
      this.sendDue(now);
      return;
    }
    const room = this.work.pipeline - this.count;
    if (room <= 0 || !this.ready || !this.socket || this.setupPending > 0) return;
    const work = this.work;
    const ratio = work.ratio;
    if (!ratio) return;
    const keyspace = work.keyspace;
    const control = this.control;
    const out = Buffer.allocUnsafe(room * keyspace.maxCommandLength);
    let offset = 0;
    for (let i = 0; i < room; i++) {
      if (!control.mayIssue()) break;
      if (control.recording) control.issued++;
      const op = ratio.next();
      const key = work.keys.next();
      offset = op === OP_SET ? keyspace.encodeSet(out, offset, key) : keyspace.encodeGet(out, offset, key);
      this.push(op, now, key);
    }
    if (offset > 0) this.socket.write(offset === out.length ? out : out.subarray(0, offset));
  }

  /** Open loop: every request due by `now`, each timed from its intended send time. */
  private sendDue(now: number): void {
    const ratio = this.work.ratio;
    if (!this.ready || !this.socket || !ratio || this.setupPending > 0) return;
    const interval = 1000 / this.work.ratePerSecond;
    // After a long outage, do not replay a backlog of hours: keep at most one second of it.
    if (now - this.nextIntended > 1000) this.nextIntended = now - 1000;
    let due = 0;
    for (let t = this.nextIntended; t <= now && this.count + due < this.work.pipeline; t += interval) due++;
    if (due === 0) return;
    const keyspace = this.work.keyspace;
    const out = Buffer.allocUnsafe(due * keyspace.maxCommandLength);
    let offset = 0;
    for (let i = 0; i < due; i++) {
      if (!this.control.mayIssue()) break;
      if (this.control.recording) this.control.issued++;
      const op = ratio.next();
      const key = this.work.keys.next();
      offset = op === OP_SET ? keyspace.encodeSet(out, offset, key) : keyspace.encodeGet(out, offset, key);
      // Timed from when it was due: the clock (schedule.ts) sends on time, so only a real
      // hold-up (blocked loop, full window) lies between the two, and that must count.
      this.push(op, this.nextIntended, key);
      this.nextIntended += interval;
    }
    if (offset > 0) this.socket.write(out.subarray(0, offset));
  }

  /** Parses every complete reply in `chunk[0..length)`, then refills the window. */
  private onChunk(input: Buffer, length: number): void {
    let chunk = input;
    let end = length;
    let i = 0;
    if (this.partial) {
      // A reply header was split across reads (rare): join it with this read.
      chunk = Buffer.concat([this.partial, input.subarray(0, length)]);
      end = chunk.length;
      this.partial = null;
    }
    const now = performance.now();
    if (this.skip > 0) {
      const take = Math.min(this.skip, end);
      i = take;
      this.skip -= take;
      if (this.skip === 0) this.complete(now, 1);
    }
    while (i < end) {
      const type = chunk[i]!;
      // Find the end of the header line.
      let lineEnd = i + 1;
      while (lineEnd < end && chunk[lineEnd] !== 10) lineEnd++;
      if (lineEnd >= end) {
        this.partial = Buffer.from(chunk.subarray(i, end));
        break;
      }
      const next = lineEnd + 1;
      if (type === 36 /* $ */) {
        if (chunk[i + 1] === 45 /* - */) {
          i = next;
          this.complete(now, 2); // $-1: miss
          continue;
        }
        let size = 0;
        for (let j = i + 1; j < lineEnd - 1; j++) size = size * 10 + (chunk[j]! - 48);
        const bodyEnd = next + size + 2;
        if (bodyEnd <= end) {
          i = bodyEnd;
          this.complete(now, 1);
        } else {
          this.skip = bodyEnd - end;
          i = end;
        }
        continue;
      }
      const lineStart = i;
      i = next;
      if (type === 45 /* - */) {
        this.completeError(chunk.toString('utf8', lineStart + 1, lineEnd - 1));
      } else if (type === 95 /* _ RESP3 null */) {
        this.complete(now, 2);
      } else {
        this.complete(now, 0); // +OK, :n
      }
    }
    if (this.socket) scheduleFill(this);
  }

  /** Called by the shared flush: tops up the window, stamped with the actual write time. */
  flush(now: number): void {
    if (this.socket) this.fill(now);
  }

  /** One reply: outcome 0 ok, 1 hit, 2 miss. */
  private complete(now: number, outcome: number): void {
    if (this.count === 0) return;
    const slot = this.head;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.count--;
    const kind = this.kinds[slot]!;
    const stats = this.stats;
    if (kind > OP_SET) {
      this.attempts = 0;
      this.setupPending--;
      this.setupThrottled = 0;
      stats.markSuccess(now);
      return;
    }
    stats.markSuccess(now);
    const control = this.control;
    if (!control.recording) return;
    stats.record(kind === OP_SET, (now - this.starts[slot]!) * 1000, outcome);
    if (++control.completed >= control.limit) control.onLimitReached?.();
  }

  private completeError(message: string): void {
    if (this.count === 0) return;
    const slot = this.head;
    const kind = this.kinds[slot]!;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.count--;
    if (kind > OP_SET) {
      if (isThrottled(message) && this.retrySetup(kind)) return;
      this.setupPending--;
      if (kind === OP_AUTH) {
        // Wrong token or user: retrying will not help, but the run goes on for the other nodes.
        this.stats.lastError = message;
        this.socket?.destroy(new Error(`AUTH failed: ${message}`));
      }
      // READONLY/READWRITE refused (a reader endpoint that is no cluster node): it reads anyway.
      return;
    }
    if (isThrottled(message)) {
      // Not a failure of the run: the cache is at its usage limit; counted, and the next request goes on.
      this.stats.markSuccess(performance.now());
      this.work.onThrottled?.(this.keys[slot]!);
      if (this.control.recording) {
        this.stats.throttled++;
        if (++this.control.completed >= this.control.limit) this.control.onLimitReached?.();
      }
      return;
    }
    const redirect = this.work.onRedirect && parseRedirect(message, this.address.host);
    if (redirect) {
      // Not an error: the cluster moved the slot (failover, resharding); the request is retried there.
      if (this.control.recording) {
        if (redirect.ask) this.stats.ask++;
        else this.stats.moved++;
      }
      this.stats.markSuccess(performance.now());
      this.work.onRedirect!({ isSet: kind === OP_SET, key: this.keys[slot]!, start: this.starts[slot]!, ...redirect });
      return;
    }
    this.stats.lastError = message;
    if (this.control.recording) {
      this.stats.errors++;
      if (++this.control.completed >= this.control.limit) this.control.onLimitReached?.();
    }
  }
}

/*
 * Writes are deferred to one setImmediate per event-loop turn, as redis-benchmark does
 * (read every ready socket, then write): replies waiting in other sockets are read
 * before this turn spends time in write syscalls, and each request's start time is the
 * moment it is actually written.
 */
let pendingFills: LoadConnection[] = [];
let fillScheduled = false;

function scheduleFill(connection: LoadConnection): void {
  pendingFills.push(connection);
  if (!fillScheduled) {
    fillScheduled = true;
    setImmediate(runFills);
  }
}

function runFills(): void {
  fillScheduled = false;
  const batch = pendingFills;
  pendingFills = [];
  // Each connection's requests are timed from its own write: one clock read per write
  // syscall, not one for the whole turn (50 writes take a noticeable fraction of a ms).
  for (let i = 0; i < batch.length; i++) batch[i]!.flush(performance.now());
}

const READONLY = Buffer.from('*1\r\n$8\r\nREADONLY\r\n');
const READWRITE = Buffer.from('*1\r\n$9\r\nREADWRITE\r\n');

/** `MOVED 3999 10.0.0.5:6379` / `ASK 3999 10.0.0.5:6379` → where to retry; null for any other error. */
export function parseRedirect(
  message: string,
  fallbackHost: string,
): { ask: boolean; host: string; port: number } | null {
  const ask = message.startsWith('ASK ');
  if (!ask && !message.startsWith('MOVED ')) return null;
  const target = message.slice(message.indexOf(' ', ask ? 4 : 6) + 1).trim();
  const colon = target.lastIndexOf(':');
  const port = Number(target.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) return null;
  // Redis sends "?" or nothing for a node whose address it does not know: the same host, then.
  return { ask, host: hostOr(target.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), fallbackHost), port };
}

/** RESP array of bulk strings (used for the once-per-connection AUTH). */
export function encodeCommand(args: string[]): Buffer {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return Buffer.from(text);
}
