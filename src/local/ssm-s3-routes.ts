/**
 * The emulator's non-Query protocols, on the same endpoint: SSM (JSON 1.1, chosen by the
 * `X-Amz-Target: AmazonSSM.*` header) and S3 (REST, path-style, chosen by the SigV4
 * scope's service `s3`). ElastiCache and EC2 (Query protocol) are server.ts's own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, checkSignature } from './query-protocol.js';
import { S3_MAX_BODY_BYTES, type S3Api } from './s3-api.js';
import { SSM_CONTENT_TYPE, SSM_TARGET_PREFIX, type SsmApi } from './ssm-api.js';

export interface OtherApis {
  ssm: SsmApi;
  s3: S3Api;
  log: (line: string) => void;
  defaultRegion: string;
}

/** Answers the request when it is SSM or S3 (true); false leaves it to the Query protocol. */
export async function routeSsmOrS3(
  request: IncomingMessage,
  response: ServerResponse,
  apis: OtherApis,
  requestId: string,
): Promise<boolean> {
  const target = headerOf(request, 'x-amz-target');
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (target?.startsWith(SSM_TARGET_PREFIX)) {
    const action = target.slice(SSM_TARGET_PREFIX.length);
    try {
      const signature = checkSignature(headerOf(request, 'authorization'), url.searchParams);
      const text = (await readBody(request, 1024 * 1024)).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        throw new ApiError('SerializationException', 'The request body is not valid JSON.');
      }
      const answer = apis.ssm.handle(action, body, { region: signature.region || apis.defaultRegion });
      sendJson(response, 200, answer, requestId);
      apis.log(`ssm ${action} 200`);
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError('InternalServerError', (error as Error).message, 500);
      if (!(error instanceof ApiError)) apis.log(`ssm ${action} internal error: ${(error as Error).stack ?? error}`);
      else apis.log(`ssm ${action} ${apiError.status} ${apiError.code}`);
      sendJson(
        response,
        apiError.status,
        { __type: apiError.code, message: apiError.message },
        requestId,
        apiError.code,
      );
    }
    return true;
  }
  const authorization = headerOf(request, 'authorization');
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization ?? '')?.[1];
  if (scope !== 's3') return false;
  try {
    checkSignature(authorization, url.searchParams);
    const body = request.method === 'PUT' ? await readBody(request, S3_MAX_BODY_BYTES) : Buffer.alloc(0);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
    );
    const answer = apis.s3.handle(request.method ?? 'GET', url, headers, body, requestId);
    const payload = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    response.writeHead(answer.status, {
      'x-amz-request-id': requestId,
      ...(request.method === 'HEAD' ? {} : { 'content-length': String(payload.length) }),
      ...answer.headers,
    });
    response.end(request.method === 'HEAD' ? undefined : payload);
    apis.log(`s3 ${request.method} ${url.pathname} ${answer.status}`);
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 500;
    const code = error instanceof ApiError ? error.code : 'InternalError';
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${(error as Error).message.replace(/[<&>]/g, '')}</Message><RequestId>${requestId}</RequestId></Error>`;
    response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    response.end(xml);
    apis.log(`s3 ${request.method} ${url.pathname} ${status} ${code}`);
  }
  return true;
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new ApiError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  errorType?: string,
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': SSM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
}
