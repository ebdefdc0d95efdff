/** endpoints: parse the flags and read the AUTH token → core/endpoints → print the snippet or report the file. */
import type { CommandContext } from './lazy.js';
import { readSecret } from '../secrets.js';
import { parseEndpointsRequest, type EndpointsFlags, type EndpointsRequest } from '../config/endpoints-request.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import type { Output } from '../ui/output.js';
import { commandEvents, openAws } from './session.js';

export async function run(context: CommandContext<EndpointsFlags>): Promise<void> {
  const { output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const request = parseEndpointsRequest(context.options, {
    jsonOutput: output.json,
    env: process.env,
    parseWaitTimeout,
  });
  const secret = request.authSource ? readSecret(request.authSource) : undefined;
  for (const warning of secret?.warnings ?? []) output.warn(warning);

  const { writeEndpoints } = await import('../core/endpoints.js');
  const result = await writeEndpoints(
    { replicationGroupId: id, request, ...(secret ? { authToken: secret.value } : {}) },
    () => openAws(globals),
    await commandEvents(output, globals),
  );
  if (result.kind === 'snippet') output.result(result.text);
  else report(output, request, id, result);
}

function report(
  output: Output,
  request: EndpointsRequest,
  id: string,
  result: { path: string; created: boolean; changed: boolean; use?: string; mode?: number; backup?: string },
): void {
  if (output.json) {
    output.printJson({
      replicationGroupId: id,
      format: request.format,
      ...(result.use ? { use: result.use } : {}),
      file: result.path,
      created: result.created,
      changed: result.changed,
      ...(result.mode !== undefined ? { mode: octal(result.mode) } : {}),
      ...(result.backup ? { backup: result.backup } : {}),
    });
    return;
  }
  const what =
    request.format === 'github'
      ? 'appended to'
      : !result.changed
        ? 'unchanged:'
        : result.created
          ? 'created'
          : 'updated';
  const backup = result.backup ? ` (previous version in ${result.backup})` : '';
  const source = result.use ? `${result.use} of ${id}` : id;
  output.info(`${what} ${request.out} (${request.format}, ${source})${backup}`);
}

function octal(mode: number): string {
  return '0' + (mode & 0o777).toString(8);
}
