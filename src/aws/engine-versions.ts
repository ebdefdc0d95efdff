/** The engine versions AWS offers for an engine (DescribeCacheEngineVersions, every page). */
import { paginateDescribeCacheEngineVersions } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { nonAwsAnswerStatus } from './non-aws-answer.js';
import { BUILT_IN_ENGINE_VERSIONS } from '../plan/engine-versions.js';

/**
 * Where the endpoint lacks the action (moto and other emulators: a non-XML 5xx, or
 * InvalidAction), the built-in list stands in and `warn` says so; a real error
 * (AccessDenied, credentials, …) still fails, naming the permission.
 */
export async function listEngineVersions(
  aws: AwsContext,
  engine: string,
  warn?: (message: string) => void,
): Promise<string[]> {
  const versions: string[] = [];
  try {
    for await (const page of paginateDescribeCacheEngineVersions({ client: aws.elasticache }, { Engine: engine })) {
      for (const entry of page.CacheEngineVersions ?? []) {
        if (entry.EngineVersion && (entry.Engine ?? engine) === engine) versions.push(entry.EngineVersion);
      }
    }
  } catch (error) {
    const status = nonAwsAnswerStatus(error);
    if (status !== undefined || awsErrorName(error) === 'InvalidAction') {
      const builtIn = BUILT_IN_ENGINE_VERSIONS[engine as keyof typeof BUILT_IN_ENGINE_VERSIONS] ?? [];
      warn?.(
        `the endpoint does not implement elasticache:DescribeCacheEngineVersions (${status !== undefined ? `HTTP ${status}` : 'InvalidAction'}); going on with the built-in ${engine} versions ${builtIn.join(', ')}`,
      );
      return [...builtIn];
    }
    throw explainAwsError(error, 'elasticache:DescribeCacheEngineVersions');
  }
  return versions;
}
