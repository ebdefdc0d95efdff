/**
 * Idempotency: a group that already exists is compared with the plan. Same settings →
 * the run reports it and waits; different ones → exit 2 naming each difference. Pure:
 * the AWS step extracts ExistingGroup from the Describe results.
 */
import type { ClusterPlan, NetworkAccess } from './cluster-plan.js';
import { describeSource } from './rules.js';

export interface ExistingGroup {
  status: string;
  engine?: string;
  engineVersion?: string;
  nodeType?: string;
  /** Replicas per shard (the most any shard has). */
  replicas: number;
  /** Node groups. */
  shards?: number;
  port?: number;
  multiAZ: boolean;
  automaticFailover: boolean;
  transitEncryption: boolean;
  atRestEncryption: boolean;
  authTokenEnabled: boolean;
  description?: string;
  clusterMode: boolean;
  /** ClusterMode as AWS reports it (enabled, disabled, compatible), when it does. */
  clusterModeName?: string;
  subnetGroupName?: string;
  /** The VPC and subnets of that subnet group, when it could be described. */
  vpcId?: string;
  subnetIds?: string[];
  securityGroupIds: string[];
  /** The allow-from tags of the tool-made security groups the group uses. */
  allowFromSources: string[];
}

export interface Difference {
  setting: string;
  existing: string;
  planned: string;
}

const text = (value: unknown) =>
  value === undefined ? '(unknown)' : typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);

/** Each setting whose value in the existing group differs from the plan. */
export function differences(plan: ClusterPlan, existing: ExistingGroup): Difference[] {
  const found: Difference[] = [];
  const check = (setting: string, actual: unknown, planned: unknown) => {
    if (actual !== undefined && actual !== planned)
      found.push({ setting, existing: text(actual), planned: text(planned) });
  };
  check(
    '--cluster-mode',
    existing.clusterModeName ?? (existing.clusterMode ? 'enabled' : 'disabled'),
    plan.clusterMode,
  );
  check('--shards', existing.shards, plan.shards);
  check('--engine', existing.engine, plan.engine);
  check('--node-type', existing.nodeType, plan.nodeType);
  check(
    plan.shards > 1 || existing.clusterMode ? '--replicas (per shard)' : '--replicas',
    existing.replicas,
    plan.replicas,
  );
  check('--port', existing.port, plan.port);
  check('--automatic-failover', existing.automaticFailover, plan.automaticFailover);
  check('--multi-az', existing.multiAZ, plan.multiAZ);
  check('--transit-encryption', existing.transitEncryption, plan.transitEncryption);
  check('--at-rest-encryption', existing.atRestEncryption, plan.atRestEncryption);
  check('AUTH token', existing.authTokenEnabled, plan.authToken !== undefined);
  // Settings with moving or implicit defaults are compared only when the user named them.
  if (plan.explicit.has('engineVersion') && plan.engineVersion && existing.engineVersion) {
    const same =
      existing.engineVersion === plan.engineVersion || existing.engineVersion.startsWith(plan.engineVersion + '.');
    if (!same)
      found.push({ setting: '--engine-version', existing: existing.engineVersion, planned: plan.engineVersion });
  }
  if (plan.explicit.has('description')) check('--description', existing.description, plan.description);
  if (plan.explicit.has('subnetGroup')) check('--subnet-group', existing.subnetGroupName, plan.subnetGroupName);
  if (plan.explicit.has('vpc')) check('--vpc', existing.vpcId, plan.vpcId);
  if (plan.subnetIds && existing.subnetIds) {
    const same =
      plan.subnetIds.length === existing.subnetIds.length &&
      plan.subnetIds.every((id) => existing.subnetIds!.includes(id));
    if (!same)
      found.push({ setting: '--subnets', existing: existing.subnetIds.join(','), planned: plan.subnetIds.join(',') });
  }
  found.push(...accessDifferences(plan.access, existing));
  return found;
}

/**
 * How callers reach the existing group or serverless cache, against the plan: the named
 * security groups must all be attached; an --allow-from source must be one a tool-made
 * group already admits.
 */
export function accessDifferences(
  access: NetworkAccess,
  existing: { securityGroupIds: readonly string[]; allowFromSources: readonly string[] },
): Difference[] {
  const found: Difference[] = [];
  if (access.kind === 'security-groups') {
    const missing = access.groupIds.filter((id) => !existing.securityGroupIds.includes(id));
    if (missing.length > 0) {
      found.push({
        setting: '--security-group',
        existing: existing.securityGroupIds.join(',') || '(none)',
        planned: access.groupIds.join(','),
      });
    }
  }
  if (access.kind === 'allow-from') {
    const source = describeSource(access.source);
    if (!existing.allowFromSources.includes(source)) {
      found.push({
        setting: '--allow-from',
        existing: existing.allowFromSources.join(',') || '(no security group made by elasticache-kit)',
        planned: source,
      });
    }
  }
  return found;
}

export function formatDifferences(id: string, found: readonly Difference[]): string {
  return formatDifferencesOf('replication group', id, found);
}

/** The exit-2 message for an existing resource (`what` names its kind) that differs from the plan. */
export function formatDifferencesOf(what: string, id: string, found: readonly Difference[]): string {
  const list = found.map((d) => `${d.setting} is ${d.existing}, the command asks for ${d.planned}`).join('; ');
  return `${what} ${id} already exists with different settings: ${list}. Nothing was changed; run the command with the existing settings, or delete-cluster ${id} first`;
}
