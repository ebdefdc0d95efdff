/**
 * S3 for distributed bench results: a worker puts its result, the controller gets it.
 * With an endpoint URL (the emulator, or S3-compatible storage) requests are path-style
 * (http://host:port/bucket/key): a virtual-hosted bucket name would need DNS.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsContext } from './clients.js';
import { explainAwsError } from './errors.js';
import { NotFoundError } from '../errors.js';

export function openS3(aws: AwsContext, env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = aws.endpointUrl ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: aws.region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    credentials: aws.elasticache.config.credentials,
    // Checksums only where S3 requires them: plain bodies work with S3-compatible stores too.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    retryMode: 'adaptive',
    maxAttempts: 6,
  });
}

export async function putText(s3: S3Client, bucket: string, key: string, body: string): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
  } catch (error) {
    throw explainAwsError(error, 's3:PutObject');
  }
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket') {
      throw new NotFoundError(`${name}: s3://${bucket}/${key} does not exist`);
    }
    throw explainAwsError(error, 's3:GetObject');
  }
}

/** s3://bucket/key → bucket and key. */
export function splitS3Url(url: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}
