/**
 * The AWS Query protocol as ElastiCache and EC2 speak it: form-encoded parameters in,
 * XML out. This module knows the envelopes (result, error, request id), the SigV4 shape
 * check, and how flattened names (`Tags.Tag.1.Key`, `Filter.1.Value.1`) nest.
 */
import { randomUUID } from 'node:crypto';
import { xmlDocument, type XmlNode } from './xml.js';

export const ELASTICACHE_VERSION = '2015-02-02';
export const EC2_VERSION = '2016-11-15';
export const ELASTICACHE_XMLNS = 'http://elasticache.amazonaws.com/doc/2015-02-02/';
export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export type ServiceName = 'elasticache' | 'ec2';

/** An error the client sees as an AWS error: its wire `Code`, HTTP status and message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Flat request parameters, as sent (`SecurityGroupIds.SecurityGroupId.1=sg-1`). */
export class QueryParams {
  constructor(private readonly values: Map<string, string>) {}

  static parse(body: string): QueryParams {
    const values = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(body)) values.set(key, value);
    return new QueryParams(values);
  }

  get action(): string | undefined {
    return this.values.get('Action');
  }

  get version(): string | undefined {
    return this.values.get('Version');
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') {
      throw new ApiError('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw.trim())) {
      throw new ApiError('InvalidParameterValue', `Invalid value for parameter ${name}: ${raw} is not an integer`);
    }
    return Number(raw);
  }

  boolean(name: string): boolean | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const lower = raw.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new ApiError('InvalidParameterValue', `Invalid value for parameter ${name}: ${raw} is not a boolean`);
  }

  /**
   * A flattened list: `list('SecurityGroupIds.SecurityGroupId')` reads `…SecurityGroupId.1`,
   * `.2`, … in index order. Gaps are tolerated (indexes are sorted, not counted).
   */
  list(prefix: string): string[] {
    return this.indexes(prefix)
      .map((index) => this.values.get(`${prefix}.${index}`)!)
      .filter((v) => v !== undefined);
  }

  /** A flattened list of structures: one QueryParams view per index (`Tags.Tag.1.Key` → view with `Key`). */
  structs(prefix: string): QueryParams[] {
    return this.indexes(prefix).map((index) => this.scope(`${prefix}.${index}`));
  }

  /** The parameters under `prefix.`, with that prefix removed. */
  scope(prefix: string): QueryParams {
    const scoped = new Map<string, string>();
    const head = prefix + '.';
    for (const [key, value] of this.values) {
      if (key.startsWith(head)) scoped.set(key.slice(head.length), value);
    }
    return new QueryParams(scoped);
  }

  private indexes(prefix: string): number[] {
    const head = prefix + '.';
    const found = new Set<number>();
    for (const key of this.values.keys()) {
      if (!key.startsWith(head)) continue;
      const index = key.slice(head.length).split('.', 1)[0]!;
      if (/^\d+$/.test(index)) found.add(Number(index));
    }
    return [...found].sort((a, b) => a - b);
  }
}

export interface SignatureInfo {
  region: string;
  service: string;
}

/**
 * Checks that the request carries a SigV4 signature of the right shape (header or query
 * string) and returns its credential scope. Signatures are not verified: any keys work.
 */
export function checkSignature(authorization: string | undefined, query: URLSearchParams): SignatureInfo {
  if (authorization !== undefined && authorization !== '') {
    const match =
      /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/.exec(
        authorization,
      );
    if (!match)
      throw new ApiError(
        'IncompleteSignature',
        'Authorization header requires AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature.',
      );
    return scopeOf(match[1]!);
  }
  const credential = query.get('X-Amz-Credential');
  if (query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && credential && query.get('X-Amz-Signature')) {
    return scopeOf(credential);
  }
  throw new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
}

function scopeOf(credential: string): SignatureInfo {
  // AKID/20261126/us-east-1/elasticache/aws4_request
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) {
    throw new ApiError('IncompleteSignature', `Credential should be scoped to a valid region, not '${credential}'.`);
  }
  return { region: parts[2]!, service: parts[3]! };
}

/**
 * A Version that is not the service's own: AWS answers InvalidAction (400), "Could not find
 * operation X for version Y", as for any action the API version lacks.
 */
export function checkVersion(service: ServiceName, params: QueryParams): void {
  const version = params.version;
  if (version === undefined) return;
  if (version !== (service === 'ec2' ? EC2_VERSION : ELASTICACHE_VERSION)) {
    throw new ApiError('InvalidAction', `Could not find operation ${params.action ?? ''} for version ${version}`);
  }
}

/** Which service a request is for: the Version parameter, else the credential scope. */
export function serviceOf(params: QueryParams, scopeService: string | undefined): ServiceName | undefined {
  if (params.version === ELASTICACHE_VERSION) return 'elasticache';
  if (params.version === EC2_VERSION) return 'ec2';
  if (scopeService === 'elasticache' || scopeService === 'ec2') return scopeService;
  return undefined;
}

export function newRequestId(): string {
  return randomUUID();
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` (ElastiCache, awsQuery). */
export function queryResponse(
  action: string,
  result: readonly (XmlNode | undefined)[] | undefined,
  requestId: string,
): string {
  return xmlDocument(
    `${action}Response`,
    [result === undefined ? undefined : [`${action}Result`, result], ['ResponseMetadata', [['RequestId', requestId]]]],
    { xmlns: ELASTICACHE_XMLNS },
  );
}

export function queryError(error: ApiError, requestId: string): string {
  return xmlDocument(
    'ErrorResponse',
    [
      [
        'Error',
        [
          ['Type', error.status >= 500 ? 'Receiver' : 'Sender'],
          ['Code', error.code],
          ['Message', error.message],
        ],
      ],
      ['RequestId', requestId],
    ],
    { xmlns: ELASTICACHE_XMLNS },
  );
}

/** `<ActionResponse xmlns=ec2><requestId/>…members…` (EC2 protocol: no Result wrapper). */
export function ec2Response(action: string, members: readonly (XmlNode | undefined)[], requestId: string): string {
  return xmlDocument(`${action}Response`, [['requestId', requestId], ...members], { xmlns: EC2_XMLNS });
}

export function ec2Error(error: ApiError, requestId: string): string {
  return xmlDocument('Response', [
    [
      'Errors',
      [
        [
          'Error',
          [
            ['Code', error.code],
            ['Message', error.message],
          ],
        ],
      ],
    ],
    ['RequestID', requestId],
  ]);
}
