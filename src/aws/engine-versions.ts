/** The engine versions AWS offers for an engine (DescribeCacheEngineVersions, every page). */
import { DescribeCacheEngineVersionsCommand } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError } from './errors.js';

export async function listEngineVersions(aws: AwsContext, engine: string): Promise<string[]> {
  const versions: string[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await aws.elasticache.send(new DescribeCacheEngineVersionsCommand({ Engine: engine, ...(marker ? { Marker: marker } : {}) }));
      for (const entry of page.CacheEngineVersions ?? []) {
        if (entry.EngineVersion && (entry.Engine ?? engine) === engine) versions.push(entry.EngineVersion);
      }
      marker = page.Marker;
    } while (marker);
  } catch (error) {
    throw explainAwsError(error, 'elasticache:DescribeCacheEngineVersions');
  }
  return versions;
}
