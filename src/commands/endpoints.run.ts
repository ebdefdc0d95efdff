/**
 * endpoints: flags → (existing file checked) → Topology → values → config text → stdout or
 * an atomic write. Everything that can be wrong with the input is found before the first
 * API call; nothing is written unless the whole config is known.
 */
import { appendFileSync, chmodSync, statSync } from 'node:fs';
import { CliError, WaitTimeoutError } from '../errors.js';
import type { CommandContext } from './lazy.js';
import { readSecret } from '../secrets.js';
import { parseEndpointsRequest, type EndpointsFlags, type EndpointsRequest } from '../config/endpoints-request.js';
import { readExistingFile, type ExistingFile } from '../config/existing-file.js';
import { ConfigParseError } from '../config/errors.js';
import { FORMATS, type FormatModule } from '../config/formats/index.js';
import { endpointValues, type EndpointValues } from '../config/values.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import type { Topology } from '../topology.js';
import type { Output } from '../ui/output.js';

/** Statuses whose endpoints are complete and in service. A group that is modifying or
 * snapshotting keeps its endpoints, but its node roles may be changing. */
const SERVING = new Set(['available', 'modifying', 'snapshotting']);

export async function run(context: CommandContext<EndpointsFlags>): Promise<void> {
  const { output } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const request = parseEndpointsRequest(context.options, { jsonOutput: output.json, env: process.env, parseWaitTimeout });
  const secret = request.authSource ? readSecret(request.authSource) : undefined;
  secret?.warnings.forEach((warning) => output.warn(warning));
  const authToken = secret?.value;
  const info = FORMATS[request.format];
  const module = await info.load();
  const existing = request.out !== undefined ? checkExisting(request.out, info.write, module) : undefined;

  const topology = await discover(context, id, request);
  if (topology.authRequired && !request.includeAuth) {
    output.info(`note: ${id} requires an AUTH token; it is not written (add --include-auth --auth-token-env VAR)`);
  }
  if (request.includeAuth && !topology.authRequired) output.warn(`${id} has no AUTH token enabled; writing the given token anyway`);
  const values = endpointValues(topology, {
    ...(request.use ? { use: request.use } : {}),
    includeAuth: request.includeAuth,
    ...(authToken !== undefined ? { authToken } : {}),
    ...(request.environment !== undefined ? { environment: request.environment } : {}),
  });
  if (!values.clusterMode && !values.primary) throw new CliError(`${id} has no primary node yet; run again with --wait`);
  const input = { topology, values, keys: request.keys };

  if (!existing) {
    output.result(module.renderSnippet ? module.renderSnippet(input) : module.render(input));
    return;
  }
  if (info.write === 'append') {
    appendLines(existing, module.render(input), request, output);
    report(output, request, id, existing, { created: existing.text === undefined, changed: true, use: useLabel(values) });
    return;
  }
  // Read again: the file may have been edited while the API answered, and a merge must
  // start from what is there now, not from the copy checked a moment ago.
  const current = checkExisting(request.out!, info.write, module);
  const text = current.text !== undefined && info.write === 'merge' ? mergeInto(current, module, input) : module.render(input);
  const modeOk = !request.includeAuth || current.mode === undefined || (current.mode & 0o077) === 0;
  if (text === current.text && modeOk) {
    report(output, request, id, current, { created: false, changed: false, use: useLabel(values) });
    return;
  }
  const { writeFileAtomic } = await import('../config/write-file.js');
  const written = writeFileAtomic(existing.path, text, { secret: request.includeAuth, backup: request.backup });
  if (written.tightenedFrom !== undefined) {
    output.warn(`${request.out} was mode ${octal(written.tightenedFrom)}; it is now 0600 because it holds the AUTH token`);
  }
  report(output, request, id, existing, {
    created: written.created,
    changed: true,
    use: useLabel(values),
    mode: written.mode,
    ...(written.backupPath ? { backup: written.backupPath } : {}),
  });
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

async function discover(context: CommandContext<EndpointsFlags>, id: string, request: EndpointsRequest): Promise<Topology> {
  const { closeClients } = await import('../aws/clients.js');
  const { discoverTopology } = await import('../aws/topology.js');
  const { openAws } = await import('./session.js');
  const aws = await openAws(context.globals, { ec2: false });
  try {
    let topology = await discoverTopology(aws, id);
    const serving = (t: Topology) => t.status === 'available' || (SERVING.has(t.status) && request.use !== 'nodes');
    if (!serving(topology)) {
      if (!request.wait) {
        throw new WaitTimeoutError(
          `${id} is ${topology.status}, not available: no endpoints written. Run again with --wait (or elasticache-kit wait ${id} first)`,
        );
      }
      const { waitWithProgress } = await import('./wait-progress.js');
      await waitWithProgress(aws, context.output, context.globals, id, {
        until: 'available',
        timeoutMinutes: request.waitTimeoutMinutes ?? 60,
        doing: topology.status,
      });
      topology = await discoverTopology(aws, id);
    }
    return topology;
  } finally {
    closeClients(aws);
  }
}

/** GitHub outputs: the runner owns the file; the tool only appends whole lines in one write. */
function appendLines(existing: ExistingFile, text: string, request: EndpointsRequest, output: Output): void {
  const separator = existing.text !== undefined && existing.text !== '' && !/\n$/.test(existing.text) ? '\n' : '';
  appendFileSync(existing.path, separator + text, { mode: request.includeAuth ? 0o600 : 0o644 });
  if (request.includeAuth) {
    const mode = statSync(existing.path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      chmodSync(existing.path, 0o600);
      output.warn(`${request.out} was mode ${octal(mode)}; it is now 0600 because it holds the AUTH token`);
    }
    output.warn('the AUTH token is now a step output: GitHub does not mask outputs, so do not echo it');
  }
}

function report(
  output: Output,
  request: EndpointsRequest,
  id: string,
  existing: ExistingFile,
  result: { created: boolean; changed: boolean; use?: string; mode?: number; backup?: string },
): void {
  if (output.json) {
    output.printJson({
      replicationGroupId: id,
      format: request.format,
      ...(result.use ? { use: result.use } : {}),
      file: existing.path,
      created: result.created,
      changed: result.changed,
      ...(result.mode !== undefined ? { mode: octal(result.mode) } : {}),
      ...(result.backup ? { backup: result.backup } : {}),
    });
    return;
  }
  const what = request.format === 'github' ? 'appended to' : !result.changed ? 'unchanged:' : result.created ? 'created' : 'updated';
  const backup = result.backup ? ` (previous version in ${result.backup})` : '';
  const source = result.use ? `${result.use} of ${id}` : id;
  output.info(`${what} ${request.out} (${request.format}, ${source})${backup}`);
}

function useLabel(values: EndpointValues): string {
  return values.clusterMode ? 'configuration endpoint' : values.use;
}

function octal(mode: number): string {
  return '0' + (mode & 0o777).toString(8);
}
