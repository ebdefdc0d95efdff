/**
 * Idempotency for serverless caches: an existing cache of the same name is compared with
 * the plan. Same settings → report and wait; different → exit 2 naming each difference.
 * Pure: the AWS step extracts ExistingServerless from DescribeServerlessCaches.
 */
import { accessDifferences, formatDifferencesOf, type Difference } from './differences.js';
import type { ServerlessPlan } from './serverless-plan.js';

export interface ExistingServerless {
  status: string;
  engine?: string;
  majorEngineVersion?: string;
  description?: string;
  dataStorageGb: { max?: number; min?: number };
  ecpuPerSecond: { max?: number; min?: number };
  userGroupId?: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** The allow-from tags of the tool-made security groups the cache uses. */
  allowFromSources: string[];
}

const text = (value: unknown) => (value === undefined ? '(none)' : String(value));

export function serverlessDifferences(plan: ServerlessPlan, existing: ExistingServerless): Difference[] {
  const found: Difference[] = [];
  const check = (setting: string, actual: unknown, planned: unknown) => {
    if (actual !== planned) found.push({ setting, existing: text(actual), planned: text(planned) });
  };
  if (existing.engine !== undefined) check('--engine', existing.engine, plan.engine);
  // The user group decides who may connect: compared whether or not it was named.
  check('--user-group', existing.userGroupId, plan.userGroupId);
  const explicit = plan.explicit;
  if (explicit.has('majorEngineVersion'))
    check('--major-engine-version', existing.majorEngineVersion, plan.majorEngineVersion);
  if (explicit.has('description')) check('--description', existing.description, plan.description);
  if (explicit.has('maxDataStorage')) check('--max-data-storage', existing.dataStorageGb.max, plan.dataStorageGb.max);
  if (explicit.has('minDataStorage')) check('--min-data-storage', existing.dataStorageGb.min, plan.dataStorageGb.min);
  if (explicit.has('maxEcpuPerSecond'))
    check('--max-ecpu-per-second', existing.ecpuPerSecond.max, plan.ecpuPerSecond.max);
  if (explicit.has('minEcpuPerSecond'))
    check('--min-ecpu-per-second', existing.ecpuPerSecond.min, plan.ecpuPerSecond.min);
  if (plan.subnetIds) {
    const same =
      plan.subnetIds.length === existing.subnetIds.length &&
      plan.subnetIds.every((id) => existing.subnetIds.includes(id));
    if (!same)
      found.push({
        setting: '--subnets',
        existing: existing.subnetIds.join(',') || '(none)',
        planned: plan.subnetIds.join(','),
      });
  }
  found.push(...accessDifferences(plan.access, existing));
  return found;
}

export function formatServerlessDifferences(name: string, found: readonly Difference[]): string {
  return formatDifferencesOf('serverless cache', name, found);
}
