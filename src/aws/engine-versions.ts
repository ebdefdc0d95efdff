/** The engine versions AWS offers for an engine (DescribeCacheEngineVersions, every page). */
import { paginateDescribeCacheEngineVersions } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError } from './errors.js';

export async function listEngineVersions(aws: AwsContext, engine: string): Promise<string[]> {
  const versions: string[] = [];
  try {
    for await (const page of paginateDescribeCacheEngineVersions({ client: aws.elasticache }, { Engine: engine })) {
      for (const entry of page.CacheEngineVersions ?? []) {
        if (entry.EngineVersion && (entry.Engine ?? engine) === engine) versions.push(entry.EngineVersion);
      }
    }
  } catch (error) {
    throw explainAwsError(error, 'elasticache:DescribeCacheEngineVersions');
  }
  return versions;
}
