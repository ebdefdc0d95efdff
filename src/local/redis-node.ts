/**
 * One redis-server (or valkey-server) process: config file, spawn, readiness, stop.
 *
 * Secrets go into the 0600 config file, never into argv (argv is world-readable
 * through /proc/<pid>/cmdline and `ps`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findOnPath } from './engine-binary.js';
import { freePort } from './free-port.js';
import { parseInfo, respCommand, RespConnection } from './resp.js';

export interface NodeTls {
  mode: 'required' | 'preferred';
  certFile: string;
  keyFile: string;
  caCertFile: string;
  plainPort?: number;
}

export interface RedisNodeOptions {
  /** Absolute path of redis-server / valkey-server. */
  binary: string;
  host: string;
  /** The node's working directory (created when missing): config, log, any dump. */
  dir: string;
  /** A fixed port (restarting a node in place); when omitted a free port is picked. */
  port?: number;
  /** requirepass + masterauth. */
  password?: string;
  /**
   * With `password`: an ACL user of that name and password (all keys, channels and
   * commands) instead of requirepass, used for replication (masteruser) and by command().
   * The `default` user is left as it is, for ACL SETUSER to shape at run time.
   */
  username?: string;
  /**
   * Serve TLS on `port` (tls-port), replicate over TLS. `required`: no plain port at
   * all (port 0). `preferred`: plain RESP also on `plainPort` (picked when omitted), which
   * the endpoints use for clients that do not start a TLS handshake.
   */
  tls?: NodeTls;
  /** Start as a replica of this address. */
  replicaOf?: { host: string; port: number };
  /**
   * A cluster node: its bus port (`cluster-port`) is picked free with the client port, so
   * a port race on either is retried with both; read it back as `busPort`.
   */
  clusterBus?: boolean;
  /** Extra config lines (no secrets, they would be fine here, but keep them in `password`). */
  extraConfig?: string[];
  /** Extra command-line arguments after the config path, e.g. ['--maxmemory', '10mb']. Never secrets. */
  extraArgs?: string[];
  /** How long to wait for PING to answer. Default 15 s (the CI machine is shared). */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Safety net: when this Node process exits normally (or through process.exit), no
 * redis-server it started may outlive it. 'exit' handlers must be synchronous, and
 * kill() is.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

let deathSignalWrapper: string | null | undefined;

/**
 * On Linux, `setpriv --pdeathsig KILL` (util-linux) makes the kernel kill the node when
 * the emulator dies by any means, SIGKILL included, where no 'exit' handler runs.
 * setpriv execs the server, so the pid stays the server's. Elsewhere: undefined.
 */
function parentDeathWrapper(): string | undefined {
  if (deathSignalWrapper === undefined) {
    deathSignalWrapper = (process.platform === 'linux' && findOnPath('setpriv')) || null;
  }
  return deathSignalWrapper ?? undefined;
}

/** Quotes a config value the way redis' config parser (sdssplitargs) reads it back. */
export function quoteConfigValue(value: string): string {
  return `"${value
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')}"`;
}

export function renderConfig(options: RedisNodeOptions & { port: number }): string {
  const tls = options.tls;
  const lines = [
    '# Written by elasticache-kit local; rewritten on every start.',
    ...(tls
      ? [
          `port ${tls.mode === 'required' ? 0 : (tls.plainPort ?? 0)}`,
          `tls-port ${options.port}`,
          `tls-cert-file ${quoteConfigValue(tls.certFile)}`,
          `tls-key-file ${quoteConfigValue(tls.keyFile)}`,
          `tls-ca-cert-file ${quoteConfigValue(tls.caCertFile)}`,
          // Clients show no certificate (as on AWS); replicas verify the primary's.
          'tls-auth-clients no',
          'tls-replication yes',
        ]
      : [`port ${options.port}`]),
    `bind ${options.host}`,
    `dir ${quoteConfigValue(options.dir)}`,
    `logfile ${quoteConfigValue(join(options.dir, 'redis.log'))}`,
    'daemonize no',
    'protected-mode no',
    'save ""',
    'appendonly no',
    // Full syncs start at once instead of waiting 5 s for more replicas to join.
    'repl-diskless-sync-delay 0',
  ];
  if (options.password !== undefined && options.username !== undefined) {
    lines.push(`user ${options.username} on >${options.password} ~* &* +@all`);
    lines.push(`masteruser ${options.username}`);
    lines.push(`masterauth ${quoteConfigValue(options.password)}`);
  } else if (options.password !== undefined) {
    lines.push(`requirepass ${quoteConfigValue(options.password)}`);
    lines.push(`masterauth ${quoteConfigValue(options.password)}`);
  }
  if (options.replicaOf) {
    lines.push(`replicaof ${options.replicaOf.host} ${options.replicaOf.port}`);
    lines.push('replica-read-only yes');
  }
  lines.push(...(options.extraConfig ?? []));
  return `${lines.join('\n')}\n`;
}

export class RedisNode {
  /** The ACL user command() authenticates as (RedisNodeOptions.username); `default` when unset. */
  private username: string | undefined;
  /** Resolves when the process has exited (any cause). */
  readonly exited: Promise<void>;
  private exitedFlag = false;
  /** The cluster bus port, for a node started with `clusterBus`. */
  busPort: number | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly host: string,
    readonly dir: string,
    readonly configPath: string,
    private password: string | undefined,
    private tlsSettings: NodeTls | undefined,
    private ca: Buffer | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      const done = () => {
        this.exitedFlag = true;
        children.delete(child);
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('exit', done);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return !this.exitedFlag;
  }

  get logPath(): string {
    return join(this.dir, 'redis.log');
  }

  /** Starts the process and resolves once it answers PING; retries on a port race. */
  static async start(options: RedisNodeOptions): Promise<RedisNode> {
    installExitHook();
    const attempts = options.port === undefined ? 4 : 1;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const port = options.port ?? (await freePort(options.host));
      const tls =
        options.tls && options.tls.mode === 'preferred' && options.tls.plainPort === undefined
          ? { ...options.tls, plainPort: await freePort(options.host) }
          : options.tls;
      // The bus port is needed because port+10000 may be taken or beyond 65535.
      const busPort = options.clusterBus ? await freePort(options.host) : undefined;
      const extraConfig = busPort ? [...(options.extraConfig ?? []), `cluster-port ${busPort}`] : options.extraConfig;
      try {
        const node = await RedisNode.startOnce({ ...options, port, tls, extraConfig });
        node.busPort = busPort;
        return node;
      } catch (error) {
        lastError = error as Error;
        // Another process grabbed the port between freePort() and bind: pick another.
        if (!/Address already in use/i.test(lastError.message)) throw lastError;
      }
    }
    throw lastError!;
  }

  private static async startOnce(options: RedisNodeOptions & { port: number }): Promise<RedisNode> {
    mkdirSync(options.dir, { recursive: true });
    const configPath = join(options.dir, 'redis.conf');
    writeFileSync(configPath, renderConfig(options), { mode: 0o600 });
    chmodSync(configPath, 0o600); // the mode option only applies when the file is created
    writeFileSync(join(options.dir, 'redis.log'), ''); // fresh log: failure messages are from this run

    const serverArgs = [configPath, ...(options.extraArgs ?? [])];
    const wrapper = parentDeathWrapper();
    const [command, args] = wrapper
      ? [wrapper, ['--pdeathsig', 'KILL', options.binary, ...serverArgs]]
      : [options.binary, serverArgs];
    // stdout is unused (logfile); stderr is kept (first 4 KB) because redis reports
    // config errors there before the log file is open.
    const child = spawn(command, args, { cwd: options.dir, stdio: ['ignore', 'ignore', 'pipe'], detached: false });
    children.add(child);
    const closed = once(child, 'close').catch(() => undefined);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.stderr?.on('error', () => undefined);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const ca = options.tls ? readFileSync(options.tls.caCertFile) : undefined;
    const node = new RedisNode(
      child,
      options.port,
      options.host,
      options.dir,
      configPath,
      options.password,
      options.tls,
      ca,
    );
    node.username = options.username;
    options.log?.(
      `started ${options.binary} pid ${child.pid ?? '?'} on ${options.host}:${options.port} (${options.dir})`,
    );

    const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
    for (;;) {
      const outcome = await Promise.race([
        node.ping().then(
          () => 'ready' as const,
          () => 'not-yet' as const,
        ),
        node.exited.then(() => 'exited' as const),
        spawnError.then((error) => error),
      ]);
      if (outcome === 'ready') return node;
      if (outcome instanceof Error) {
        children.delete(child);
        throw new Error(`could not start ${options.binary}: ${outcome.message}`);
      }
      if (outcome === 'exited') {
        await closed; // stderr fully read
        const reason = [...stderr.trim().split('\n').filter(Boolean).slice(-3), node.logTail()].join(' | ');
        throw new Error(`${options.binary} on port ${options.port} exited at start: ${reason}`);
      }
      if (Date.now() > deadline) {
        await node.stop();
        throw new Error(`${options.binary} on port ${options.port} did not answer PING in time: ${node.logTail()}`);
      }
      await sleep(50);
    }
  }

  get tls(): NodeTls | undefined {
    return this.tlsSettings;
  }

  /** The plain-RESP port of a `preferred` TLS node; undefined when there is none. */
  get plainPort(): number | undefined {
    return this.tlsSettings?.mode === 'preferred' ? this.tlsSettings.plainPort : undefined;
  }

  /** Runs one command on this node (authenticating when the node has a password; over TLS when it has TLS). */
  command(...args: (string | number)[]) {
    return this.commandOn(this.port, this.ca, ...args);
  }

  /** One command on a given port of this node: plain when `ca` is undefined. */
  private commandOn(port: number, ca: Buffer | undefined, ...args: (string | number)[]) {
    return respCommand(
      {
        host: this.host,
        port,
        password: this.password,
        username: this.username,
        timeoutMs: 2000,
        tls: ca ? { ca } : undefined,
      },
      ...args,
    );
  }

  /**
   * Switches in-transit encryption on the running process (CONFIG SET, no restart, so the
   * data stays), the way ElastiCache migrates a live cluster: undefined = plain on `port`;
   * `preferred` = TLS on `port` and plain RESP on a second port; `required` = TLS only.
   * Clients of a listener that goes away are disconnected, as they would be on AWS.
   */
  async setTls(next: NodeTls | undefined): Promise<void> {
    const current = this.tlsSettings;
    if (!current && !next) return;
    if (!current && next) {
      // plain on `port` → TLS on `port` (+ plain elsewhere when preferred).
      const plainPort = next.mode === 'preferred' ? (next.plainPort ?? (await freePort(this.host))) : 0;
      await this.commandOn(
        this.port,
        undefined,
        'CONFIG',
        'SET',
        'tls-cert-file',
        next.certFile,
        'tls-key-file',
        next.keyFile,
        'tls-ca-cert-file',
        next.caCertFile,
        'tls-auth-clients',
        'no',
        'tls-replication',
        'yes',
      );
      // The plain listener moves off `port` first; then TLS takes `port` (asked over the moved
      // plain port, or, when there is none, the last connection's answer is all we need).
      const ca = readFileSync(next.caCertFile);
      if (plainPort > 0) {
        await this.commandOn(this.port, undefined, 'CONFIG', 'SET', 'port', plainPort);
        await this.commandOn(plainPort, undefined, 'CONFIG', 'SET', 'tls-port', this.port);
      } else {
        const tempPort = await freePort(this.host);
        await this.commandOn(this.port, undefined, 'CONFIG', 'SET', 'port', tempPort);
        await this.commandOn(tempPort, undefined, 'CONFIG', 'SET', 'tls-port', this.port);
        await this.commandOn(this.port, ca, 'CONFIG', 'SET', 'port', 0);
        await this.commandOn(this.port, ca, 'CLIENT', 'KILL', 'LADDR', `${this.host}:${tempPort}`);
      }
      this.tlsSettings = { ...next, plainPort: plainPort > 0 ? plainPort : undefined };
      this.ca = ca;
      return;
    }
    if (current && !next) {
      // TLS on `port` → plain on `port`: TLS lets go of `port`, its clients are dropped, plain takes it.
      let plainPort = current.mode === 'preferred' ? current.plainPort : undefined;
      if (plainPort === undefined) {
        plainPort = await freePort(this.host);
        await this.command('CONFIG', 'SET', 'port', plainPort);
      }
      await this.commandOn(plainPort, undefined, 'CONFIG', 'SET', 'tls-port', 0);
      await this.commandOn(plainPort, undefined, 'CLIENT', 'KILL', 'LADDR', `${this.host}:${this.port}`);
      await this.commandOn(plainPort, undefined, 'CONFIG', 'SET', 'port', this.port);
      await this.commandOn(this.port, undefined, 'CONFIG', 'SET', 'tls-replication', 'no');
      this.tlsSettings = undefined;
      this.ca = undefined;
      return;
    }
    // TLS stays on `port`; only the plain listener opens or closes.
    if (current!.mode === next!.mode) return;
    if (next!.mode === 'required') {
      const plainPort = current!.plainPort;
      await this.command('CONFIG', 'SET', 'port', 0);
      if (plainPort !== undefined) await this.command('CLIENT', 'KILL', 'LADDR', `${this.host}:${plainPort}`);
      this.tlsSettings = { ...next!, plainPort: undefined };
    } else {
      const plainPort = next!.plainPort ?? (await freePort(this.host));
      await this.command('CONFIG', 'SET', 'port', plainPort);
      this.tlsSettings = { ...next!, plainPort };
    }
  }

  /**
   * The AUTH passwords the node accepts (the default user's; several while a token
   * rotates), the newest first: it becomes masterauth and what this object authenticates
   * with. Secrets travel inside the connection only, never in argv or a log.
   */
  async setPasswords(passwords: string[]): Promise<void> {
    await this.command('ACL', 'SETUSER', 'default', 'resetpass', ...passwords.map((password) => `>${password}`));
    this.password = passwords[0];
    await this.command('CONFIG', 'SET', 'masterauth', passwords[0]!);
  }

  async ping(): Promise<void> {
    const reply = await respCommand(
      {
        host: this.host,
        port: this.port,
        password: this.password,
        username: this.username,
        timeoutMs: 500,
        tls: this.ca ? { ca: this.ca } : undefined,
      },
      'PING',
    );
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(reply)}`);
  }

  /** INFO <section> as a field map. */
  async info(section: string): Promise<Map<string, string>> {
    return parseInfo(String(await this.command('INFO', section)));
  }

  /** A persistent connection for many (pipelined) commands, e.g. a slot migration. The caller closes it. */
  connect(timeoutMs = 10_000): Promise<RespConnection> {
    return RespConnection.open({
      host: this.host,
      port: this.port,
      password: this.password,
      timeoutMs,
      tls: this.ca ? { ca: this.ca } : undefined,
    });
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone.
   * (SIGTERM rather than SHUTDOWN: it needs no password and no connection. With
   * `save ""` redis writes nothing on the way out.)
   */
  stop(graceMs = 2000): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        if (this.exitedFlag) return;
        this.child.kill('SIGTERM');
        const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
        await this.exited;
        clearTimeout(timer);
      })();
    }
    return this.stopping;
  }

  /** Kills at once (no shutdown): used when a node must simply be gone. */
  kill(): Promise<void> {
    if (!this.exitedFlag) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** The last lines of the node's log, for error messages. */
  logTail(lines = 3): string {
    try {
      const text = readFileSync(this.logPath, 'utf8').trim();
      const tail = text.split('\n').slice(-lines).join(' | ');
      return tail || '(log is empty)';
    } catch {
      return '(no log)';
    }
  }
}
