/**
 * endpoints: (existing file checked) → Topology (waiting when asked) → values → config
 * text → the snippet, or an atomic write / merge / append into --out. Everything that
 * can be wrong with the file is found before the first API call; nothing is written
 * unless the whole config is known.
 */
import { appendFileSync, chmodSync, statSync } from 'node:fs';
import type { AwsContext } from '../aws/clients.js';
import type { EndpointsRequest } from '../config/endpoints-request.js';
import { ConfigParseError } from '../config/errors.js';
import { readExistingFile, type ExistingFile } from '../config/existing-file.js';
import { FORMATS, type FormatModule } from '../config/formats/index.js';
import { endpointValues, type EndpointValues } from '../config/values.js';
import { CliError, WaitTimeoutError } from '../errors.js';
import type { Topology } from '../topology.js';
import type { ProgressEvents } from './events.js';

/** Statuses whose endpoints are complete and in service. A group that is modifying or
 * snapshotting keeps its endpoints, but its node roles may be changing. */
const SERVING = new Set(['available', 'modifying', 'snapshotting']);

/** Statuses a group never leaves for `available`: waiting for them would only time out. */
const GONE = new Set(['deleting', 'deleted', 'create-failed']);

/** Why no endpoints were written; --wait is advised only where waiting can help. */
export function notServingMessage(id: string, status: string): string {
  if (GONE.has(status)) return `${id} is ${status}: it will not become available, so no endpoints were written`;
  return `${id} is ${status}, not available: no endpoints written. Run again with --wait (or elasticache-kit wait ${id} first)`;
}

export interface EndpointsJob {
  replicationGroupId: string;
  request: EndpointsRequest;
  /** Read by the command layer (src/secrets.ts) when --include-auth asks for it. */
  authToken?: string;
}

export type EndpointsResult =
  /** No --out: the text for stdout. */
  | { kind: 'snippet'; text: string }
  | { kind: 'file'; path: string; created: boolean; changed: boolean; use: string; mode?: number; backup?: string };

export async function writeEndpoints(
  job: EndpointsJob,
  openAws: () => Promise<AwsContext>,
  events: ProgressEvents,
): Promise<EndpointsResult> {
  const { request, authToken } = job;
  const id = job.replicationGroupId;
  const info = FORMATS[request.format];
  const module = await info.load();
  const existing = request.out !== undefined ? checkExisting(request.out, info.write, module) : undefined;

  const topology = await discover(id, request, openAws, events);
  const values = endpointValues(topology, {
    ...(request.use ? { use: request.use } : {}),
    includeAuth: request.includeAuth,
    ...(authToken !== undefined ? { authToken } : {}),
    ...(request.environment !== undefined ? { environment: request.environment } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
  });
  if (values.replicasFromNodes) {
    events.warn(
      `${id} reports no reader endpoint; writing its replica nodes (${values.replicas.join(', ')}) instead, which do not follow a failover`,
    );
  }
  if (!values.clusterMode && !values.primary)
    throw new CliError(`${id} has no primary node yet; run again with --wait`);
  const input = { topology, values, keys: request.keys };
  // A format that cannot describe this topology refuses (one line, exit 2) before any note.
  module.render(input);
  const secret = values.user !== undefined ? `the password of user ${values.user}` : 'an AUTH token';
  if (topology.authRequired && !request.includeAuth) {
    events.info(`note: ${id} requires ${secret}; it is not written (add --include-auth --auth-token-env VAR)`);
  }
  if (request.includeAuth && !topology.authRequired)
    events.warn(`${id} has no AUTH token enabled; writing the given token anyway`);
  const others = (topology.users ?? []).filter((user) => user !== 'default' && user !== values.user);
  if (request.user === undefined && values.user !== undefined && others.length > 0)
    events.info(
      `note: user group ${topology.userGroupId} also has ${others.join(', ')}; writing ${values.user} (--user NAME to choose)`,
    );

  if (!existing)
    return { kind: 'snippet', text: module.renderSnippet ? module.renderSnippet(input) : module.render(input) };
  if (info.write === 'append') {
    appendLines(existing, module.render(input), request, events);
    return {
      kind: 'file',
      path: existing.path,
      created: existing.text === undefined,
      changed: true,
      use: useLabel(values),
    };
  }
  // Read again: the file may have been edited while the API answered, and a merge must
  // start from what is there now, not from the copy checked a moment ago.
  const current = checkExisting(request.out!, info.write, module);
  const text =
    current.text !== undefined && info.write === 'merge' ? mergeInto(current, module, input) : module.render(input);
  const modeOk = !request.includeAuth || current.mode === undefined || (current.mode & 0o077) === 0;
  if (text === current.text && modeOk)
    return { kind: 'file', path: current.path, created: false, changed: false, use: useLabel(values) };
  const { writeFileAtomic } = await import('../config/write-file.js');
  const written = writeFileAtomic(existing.path, text, { secret: request.includeAuth, backup: request.backup });
  if (written.tightenedFrom !== undefined) {
    events.warn(
      `${request.out} was mode ${octal(written.tightenedFrom)}; it is now 0600 because it holds the AUTH token`,
    );
  }
  return {
    kind: 'file',
    path: existing.path,
    created: written.created,
    changed: true,
    use: useLabel(values),
    mode: written.mode,
    ...(written.backupPath ? { backup: written.backupPath } : {}),
  };
}

/** The file --out names: read and parsed now, so a broken file fails before any API call. */
function checkExisting(path: string, write: 'merge' | 'replace' | 'append', module: FormatModule): ExistingFile {
  const existing = readExistingFile(path);
  // merge: the file must parse; replace: it must be one the tool wrote. (append: GitHub's file, anything goes.)
  if (existing.text !== undefined && write !== 'append') {
    try {
      module.check?.(existing.text);
    } catch (error) {
      throw error instanceof ConfigParseError ? error.inFile(path) : error;
    }
  }
  return existing;
}

function mergeInto(existing: ExistingFile, module: FormatModule, input: Parameters<FormatModule['render']>[0]): string {
  try {
    return module.merge!(existing.text!, input);
  } catch (error) {
    throw error instanceof ConfigParseError ? error.inFile(existing.path) : error;
  }
}

async function discover(
  id: string,
  request: EndpointsRequest,
  openAws: () => Promise<AwsContext>,
  events: ProgressEvents,
): Promise<Topology> {
  const { closeClients } = await import('../aws/clients.js');
  const { discoverAnyTopology, discoverTopologyOfKind } = await import('../aws/any-topology.js');
  const aws = await openAws();
  try {
    let topology = await discoverAnyTopology(aws, id);
    const serving = (t: Topology) => t.status === 'available' || (SERVING.has(t.status) && request.use !== 'nodes');
    if (!serving(topology)) {
      if (GONE.has(topology.status)) throw new CliError(notServingMessage(id, topology.status));
      if (!request.wait) throw new WaitTimeoutError(notServingMessage(id, topology.status));
      await events.waitFor(aws, id, {
        until: 'available',
        timeoutMinutes: request.waitTimeoutMinutes ?? 60,
        doing: topology.status,
        kind: topology.kind,
      });
      topology = await discoverTopologyOfKind(aws, id, topology.kind);
    }
    return topology;
  } finally {
    closeClients(aws);
  }
}

/** GitHub outputs: the runner owns the file; the tool only appends whole lines in one write. */
function appendLines(existing: ExistingFile, text: string, request: EndpointsRequest, events: ProgressEvents): void {
  const separator = existing.text !== undefined && existing.text !== '' && !/\n$/.test(existing.text) ? '\n' : '';
  appendFileSync(existing.path, separator + text, { mode: request.includeAuth ? 0o600 : 0o644 });
  if (request.includeAuth) {
    const mode = statSync(existing.path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      chmodSync(existing.path, 0o600);
      events.warn(`${request.out} was mode ${octal(mode)}; it is now 0600 because it holds the AUTH token`);
    }
    events.warn('the AUTH token is now a step output: GitHub does not mask outputs, so do not echo it');
  }
}

function useLabel(values: EndpointValues): string {
  if (values.kind === 'serverless') return 'endpoint and reader endpoint';
  return values.clusterMode ? 'configuration endpoint' : values.use;
}

function octal(mode: number): string {
  return '0' + (mode & 0o777).toString(8);
}
