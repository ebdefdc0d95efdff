/**
 * The emulator's HTTP server: one endpoint for both ElastiCache and EC2, like a regional
 * AWS endpoint with the service chosen by the request (Version, else the SigV4 scope).
 * It owns the state (persisted on every change) and every process its groups start;
 * close() stops them all.
 */
import { engineHasTls, ensureTlsMaterial } from './tls-material.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { findEngineBinary, type EngineBinary } from './engine-binary.js';
import { killOrphans } from './orphans.js';
import { BANNER, probe } from './launcher.js';
import { Ec2Api } from './ec2-api.js';
import { Ec2Network } from './ec2-network.js';
import { ElastiCacheApi } from './elasticache-api.js';
import { EventLog } from './events.js';
import type { EngineName } from './engine-versions.js';
import {
  ApiError,
  QueryParams,
  checkSignature,
  checkVersion,
  ec2Error,
  ec2Response,
  newRequestId,
  queryError,
  queryResponse,
  serviceOf,
  type ServiceName,
} from './query-protocol.js';
import { ReplicationGroups } from './replication-groups.js';
import { ServerlessApi } from './serverless-api.js';
import { ServerlessCaches } from './serverless-caches.js';
import { UsersApi } from './users-api.js';
import { describeInstances } from './ec2-instances.js';
import { EmulatedInstances } from './instances.js';
import { S3Api } from './s3-api.js';
import { SsmApi } from './ssm-api.js';
import { routeSsmOrS3, type OtherApis } from './ssm-s3-routes.js';
import { groupPids, processAlive, readState, writeState, type PersistedState } from './state.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  stateDir: string;
  /** A redis-server/valkey-server binary to use instead of the one on PATH. */
  redisServer?: string;
  /** Delay of the replication stream between primary and replicas; default 0. */
  replicationDelayMs?: number;
  /** Minimum length of creating, modifying and deleting (AWS takes minutes); default 0. */
  lifecycleMs?: number;
  /** Emulated EC2 instances (tag Role=bastion) that SSM Run Command runs commands on; default 0. */
  instances?: number;
  log?: (line: string) => void;
}

export interface Emulator {
  url: string;
  host: string;
  port: number;
  stateDir: string;
  /** Stops the HTTP server and every node it started. Idempotent. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_REGION = 'us-east-1';

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const engines = engineLocator(options.redisServer);
  // Fails here, before anything listens, with the install hint when no engine is installed.
  engines('redis');

  const state = readState(options.stateDir);
  await takeOverState(state, options.stateDir, log);
  const save = () => writeState(options.stateDir, state);
  save();

  const network = new Ec2Network(state);
  const events = new EventLog();
  const groups = new ReplicationGroups({
    events,
    state,
    save,
    host,
    dataDir: join(options.stateDir, 'groups'),
    replicationDelayMs: options.replicationDelayMs ?? 0,
    lifecycleMs: options.lifecycleMs ?? 0,
    log,
  });
  const elasticache = new ElastiCacheApi({
    events,
    state,
    network,
    groups,
    save,
    engineBinary: engines,
    tlsMaterial: () => ensureTlsMaterial(options.stateDir, host),
    engineHasTls,
    otherTaggable: (kind, region, name) =>
      kind === 'serverlesscache'
        ? serverless.taggable(region, name)
        : kind === 'user' || kind === 'usergroup'
          ? users.taggable(kind, region, name)
          : undefined,
  });
  // Serverless caches and RBAC users: their own modules, wired to each other here.
  const serverlessCaches = new ServerlessCaches({
    state,
    save,
    host,
    dataDir: join(options.stateDir, 'serverless'),
    log,
  });
  const users: UsersApi = new UsersApi({
    state,
    save,
    userGroupUsers: (region, userGroupId) => ({
      serverlessCaches: serverless.cachesUsing(region, userGroupId),
      replicationGroups: [],
    }),
    onUsersChanged: (region, userGroupId) => serverless.usersChanged(region, userGroupId),
  });
  const serverless: ServerlessApi = new ServerlessApi({
    caches: serverlessCaches,
    network,
    users,
    engineBinary: engines,
    tlsMaterial: () => ensureTlsMaterial(options.stateDir, host),
    engineHasTls,
  });
  const ec2 = new Ec2Api({
    network,
    save,
    securityGroupUser: (region, groupId) =>
      groups.list(region).find((group) => group.securityGroupIds.includes(groupId))?.id ??
      serverlessCaches.list(region).find((cache) => cache.securityGroupIds.includes(groupId))?.name,
  });

  let url = '';
  const instances = new EmulatedInstances({
    count: options.instances ?? 0,
    stateDir: options.stateDir,
    log,
    // The SSM agent's environment for aws:runShellScript (no HOME, no AWS_REGION: see
    // amazon-ssm-agent issue 427), plus what stands in for the instance profile and the
    // regional endpoints here: dummy credentials and the emulator's URL.
    environment: (instanceId, region) => ({
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin',
      LANG: 'en_US.UTF-8',
      AWS_SSM_INSTANCE_ID: instanceId,
      AWS_SSM_REGION_NAME: region,
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: 'AKIALOCALINSTANCE000',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
  });
  ec2.describeInstancesWith((params, context) => describeInstances(params, context, instances.instances, network));
  const others: OtherApis = { ssm: new SsmApi(instances), s3: new S3Api(), log, defaultRegion: DEFAULT_REGION };
  const server = createServer((request, response) => {
    void handleRequest(request, response, { elasticache, more: [serverless, users], ec2, log, others });
  });
  // An idle keep-alive connection is closed after this. A client that reuses one just as
  // the server lets it go gets "socket hang up" (HTTP keep-alive's race; the CLI retries,
  // a test's client with maxAttempts 1 does not): Node's 5 s default met it whenever a
  // client had been idle about 5 s, common in tests that run the CLI in between.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.server = { pid: process.pid, host, port, url, startedAt: new Date().toISOString() };
  save();
  log(`listening on ${url} (state in ${options.stateDir})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    stateDir: options.stateDir,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.all([groups.close(), serverlessCaches.close(), instances.close()]);
        state.server = undefined;
        save();
        log('stopped');
      })()),
  };
}

/** The engine binary per engine, looked up once (valkey falls back to redis-server). */
function engineLocator(explicit: string | undefined): (engine: EngineName) => EngineBinary {
  const found = new Map<EngineName, EngineBinary>();
  return (engine) => {
    let binary = found.get(engine);
    if (!binary) {
      binary = findEngineBinary(engine, explicit);
      found.set(engine, binary);
    }
    return binary;
  };
}

/**
 * A state dir belongs to one server at a time. When the previous server is gone, the
 * processes it left behind are killed and its groups forgotten (their data is gone with
 * them); subnet groups and the EC2 network are kept.
 */
async function takeOverState(state: PersistedState, stateDir: string, log: (line: string) => void): Promise<void> {
  const previous = state.server;
  if (
    previous &&
    previous.pid !== process.pid &&
    processAlive(previous.pid) &&
    (await probe(previous.url)) === 'emulator'
  ) {
    throw new Error(
      `an emulator already runs with state dir ${stateDir} at ${previous.url} (pid ${previous.pid}); stop it first (elasticache-kit local stop)`,
    );
  }
  const leftovers = groupPids(state);
  if (leftovers.length > 0) {
    const killed = await killOrphans(leftovers);
    if (killed.length > 0) log(`killed ${killed.length} process(es) left by a previous emulator: ${killed.join(' ')}`);
  }
  if (state.groups.length > 0) log(`forgot ${state.groups.length} replication group(s) of a previous emulator`);
  state.groups = [];
  if ((state.serverlessCaches ?? []).length > 0)
    log(`forgot ${state.serverlessCaches!.length} serverless cache(s) of a previous emulator`);
  state.serverlessCaches = [];
  state.server = undefined;
}

interface ActionHandler {
  handles(action: string): boolean;
  handle: ElastiCacheApi['handle'];
}

interface Apis {
  elasticache: ElastiCacheApi;
  /** Further ElastiCache actions in their own modules (serverless caches, users). */
  more: ActionHandler[];
  ec2: Ec2Api;
  log: (line: string) => void;
  others: OtherApis;
}

async function handleRequest(request: IncomingMessage, response: ServerResponse, apis: Apis): Promise<void> {
  const requestId = newRequestId();
  let service: ServiceName = 'elasticache';
  let action = '?';
  try {
    if (await routeSsmOrS3(request, response, apis.others, requestId)) return;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = request.method === 'POST' ? await readBody(request) : '';
    const params = QueryParams.parse(mergeParams(url.searchParams, body));
    action = params.action ?? '';
    if (!action && request.method === 'GET' && params.version === undefined) {
      // A health probe (curl, the launcher): say who we are.
      send(
        response,
        200,
        'text/plain',
        `${BANNER}: ElastiCache 2015-02-02 and EC2 2016-11-15 (AWS Query protocol)\n`,
        requestId,
      );
      return;
    }
    service = serviceOf(params, undefined) ?? (apis.ec2.handles(action) ? 'ec2' : 'elasticache');
    const signature = checkSignature(header(request, 'authorization'), url.searchParams);
    service = serviceOf(params, signature.service) ?? service;
    if (!action) throw new ApiError('MissingAction', 'The request must contain the parameter Action');
    checkVersion(service, params);
    const context = { region: signature.region || DEFAULT_REGION };
    if (service === 'ec2') {
      const members = apis.ec2.handle(action, params, context);
      send(response, 200, 'text/xml', ec2Response(action, members, requestId), requestId);
    } else {
      const api = apis.more.find((candidate) => candidate.handles(action)) ?? apis.elasticache;
      const result = api.handle(action, params, context);
      send(response, 200, 'text/xml', queryResponse(action, result, requestId), requestId);
    }
    apis.log(`${service} ${action} 200`);
  } catch (error) {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError('InternalFailure', (error as Error).message ?? String(error), 500);
    if (!(error instanceof ApiError))
      apis.log(`${service} ${action} internal error: ${(error as Error).stack ?? error}`);
    else apis.log(`${service} ${action} ${apiError.status} ${apiError.code}`);
    const text = service === 'ec2' ? ec2Error(apiError, requestId) : queryError(apiError, requestId);
    send(response, apiError.status, 'text/xml', text, requestId);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mergeParams(query: URLSearchParams, body: string): string {
  const merged = new URLSearchParams(query);
  for (const key of [...merged.keys()]) if (key.startsWith('X-Amz-')) merged.delete(key);
  for (const [key, value] of new URLSearchParams(body)) merged.set(key, value);
  return merged.toString();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError('RequestEntityTooLarge', 'The request body is too large.', 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}
