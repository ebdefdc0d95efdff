/**
 * The S3 REST calls a distributed bench needs, path-style on the emulator's endpoint
 * (`PUT /bucket`, `PUT|GET|HEAD /bucket/key`, `GET /bucket?list-type=2`): CreateBucket,
 * HeadBucket, PutObject, GetObject, HeadObject, ListObjectsV2, with S3's XML error shape
 * and codes (NoSuchBucket, NoSuchKey, BucketAlreadyOwnedByYou, InvalidBucketName). Objects
 * live in memory for as long as the emulator runs.
 */
import { createHash } from 'node:crypto';
import { escapeXml } from './xml.js';

export const S3_MAX_BODY_BYTES = 64 * 1024 * 1024;

interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

export interface S3Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export class S3Api {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  /** One request: method, path-style URL, headers and body → the answer. */
  handle(
    method: string,
    url: URL,
    headers: Record<string, string | undefined>,
    body: Buffer,
    requestId: string,
  ): S3Answer {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const name = decodeURIComponent(bucket);
    if (name === '') return error(400, 'InvalidRequest', 'The emulator does not list buckets.', requestId);
    if (key === '') {
      if (method === 'PUT') return this.createBucket(name, requestId);
      if (method === 'HEAD') return this.buckets.has(name) ? ok('') : { status: 404, headers: {}, body: '' };
      if (method === 'GET' && url.searchParams.get('list-type') === '2')
        return this.listObjectsV2(name, url, requestId);
      return error(405, 'MethodNotAllowed', `The specified method is not allowed against this resource.`, requestId);
    }
    const objects = this.buckets.get(name);
    if (!objects)
      return error(404, 'NoSuchBucket', 'The specified bucket does not exist', requestId, { BucketName: name });
    if (method === 'PUT') {
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      objects.set(key, {
        body,
        contentType: headers['content-type'] ?? 'binary/octet-stream',
        etag,
        lastModified: new Date(),
      });
      return { status: 200, headers: { etag }, body: '' };
    }
    if (method === 'GET' || method === 'HEAD') {
      const object = objects.get(key);
      if (!object) {
        return method === 'HEAD'
          ? { status: 404, headers: {}, body: '' }
          : error(404, 'NoSuchKey', 'The specified key does not exist.', requestId, { Key: key });
      }
      return {
        status: 200,
        headers: {
          'content-type': object.contentType,
          etag: object.etag,
          'last-modified': object.lastModified.toUTCString(),
          ...(method === 'HEAD' ? { 'content-length': String(object.body.length) } : {}),
        },
        body: method === 'HEAD' ? '' : object.body,
      };
    }
    return error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', requestId);
  }

  private createBucket(name: string, requestId: string): S3Answer {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
      return error(400, 'InvalidBucketName', 'The specified bucket is not valid.', requestId, { BucketName: name });
    }
    if (this.buckets.has(name)) {
      return error(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        requestId,
        { BucketName: name },
      );
    }
    this.buckets.set(name, new Map());
    return { status: 200, headers: { location: `/${name}` }, body: '' };
  }

  private listObjectsV2(name: string, url: URL, requestId: string): S3Answer {
    const objects = this.buckets.get(name);
    if (!objects)
      return error(404, 'NoSuchBucket', 'The specified bucket does not exist', requestId, { BucketName: name });
    const prefix = url.searchParams.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Math.max(0, Number(url.searchParams.get('max-keys') ?? 1000) || 0));
    const after = url.searchParams.get('continuation-token')
      ? Buffer.from(url.searchParams.get('continuation-token')!, 'base64url').toString()
      : (url.searchParams.get('start-after') ?? '');
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((key) => {
        const o = objects.get(key)!;
        return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const token = url.searchParams.get('continuation-token');
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${XMLNS}"><Name>${escapeXml(name)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
      (truncated
        ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64url')}</NextContinuationToken>`
        : '') +
      `${contents}</ListBucketResult>`;
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
  }
}

function ok(body: string): S3Answer {
  return { status: 200, headers: {}, body };
}

function error(
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, string> = {},
): S3Answer {
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${requestId}</RequestId></Error>`,
  };
}
