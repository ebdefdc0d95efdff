/**
 * ModifyReplicationGroup as ElastiCache validates it, for cluster-mode-disabled groups:
 * in-transit encryption in AWS's steps (off → preferred → required, and back the same way),
 * the AUTH token (ROTATE keeps the old token valid, SET then makes the new one the only one),
 * node type, automatic failover, Multi-AZ, description, snapshot/maintenance windows. The
 * rules are pure (parseModifyReplicationGroup); the processes switch in ReplicationGroups.
 * Parameters the emulator cannot honour are refused by name rather than silently ignored.
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { checkAuthToken, checkCacheNodeType } from './replication-group-rules.js';
import type { EngineName } from './engine-versions.js';
import type { ReplicationGroups, RuntimeChange } from './replication-groups.js';
import type { GroupRecord } from './state.js';
import type { TlsMaterial } from './tls-material.js';

type Mode = 'preferred' | 'required';

export interface GroupModification {
  description?: string;
  cacheNodeType?: string;
  automaticFailover?: boolean;
  multiAZ?: boolean;
  snapshotRetentionLimit?: number;
  snapshotWindow?: string;
  maintenanceWindow?: string;
  autoMinorVersionUpgrade?: boolean;
  /** In-transit encryption after the change: undefined field = unchanged; `{ enabled: false }` = off. */
  transit?: { enabled: boolean; mode?: Mode };
  auth?: { strategy: 'ROTATE' | 'SET'; token: string };
  applyImmediately: boolean;
}

/** Parameters of the action the emulator does not emulate: refused by name, never dropped. */
const NOT_EMULATED = [
  'EngineVersion',
  'Engine',
  'CacheParameterGroupName',
  'PrimaryClusterId',
  'SnapshottingClusterId',
  'NodeGroupId',
  'NotificationTopicArn',
  'NotificationTopicStatus',
  'IpDiscovery',
  'ClusterMode',
  'RemoveUserGroups',
  'Durability',
];
const NOT_EMULATED_LISTS = [
  'SecurityGroupIds.SecurityGroupId',
  'CacheSecurityGroupNames.CacheSecurityGroupName',
  'UserGroupIdsToAdd.member',
  'UserGroupIdsToRemove.member',
  'LogDeliveryConfigurations.LogDeliveryConfigurationRequest',
];

export function parseModifyReplicationGroup(params: QueryParams, group: GroupRecord): GroupModification {
  for (const name of NOT_EMULATED) {
    if (params.has(name)) {
      throw new ApiError(
        'InvalidParameterValue',
        `${name} is not supported by the local emulator's ModifyReplicationGroup.`,
      );
    }
  }
  for (const prefix of NOT_EMULATED_LISTS) {
    if (params.list(prefix).length > 0 || params.structs(prefix).length > 0) {
      const name = prefix.split('.')[0];
      throw new ApiError(
        'InvalidParameterValue',
        `${name} is not supported by the local emulator's ModifyReplicationGroup.`,
      );
    }
  }
  const change: GroupModification = { applyImmediately: params.boolean('ApplyImmediately') ?? false };

  const description = params.string('ReplicationGroupDescription');
  if (description !== undefined) {
    if (description === '') {
      throw new ApiError('InvalidParameterValue', 'The parameter ReplicationGroupDescription must not be blank.');
    }
    if (description !== group.description) change.description = description;
  }
  const nodeType = params.string('CacheNodeType');
  if (nodeType !== undefined && nodeType !== group.cacheNodeType) change.cacheNodeType = checkCacheNodeType(nodeType);

  const automaticFailover = params.boolean('AutomaticFailoverEnabled');
  const multiAZ = params.boolean('MultiAZEnabled');
  const failoverAfter = automaticFailover ?? group.automaticFailover;
  const multiAZAfter = multiAZ ?? group.multiAZ;
  if (failoverAfter && !group.automaticFailover && group.nodes.length < 2 && !group.shards) {
    throw new ApiError(
      'InvalidParameterCombination',
      `Replication group ${group.id} has no replica: automatic failover needs at least one.`,
    );
  }
  if (multiAZAfter && !failoverAfter) {
    throw new ApiError('InvalidParameterCombination', 'MultiAZEnabled requires AutomaticFailoverEnabled to be true.');
  }
  if (group.shards && automaticFailover === false) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Automatic failover cannot be disabled on a cluster mode enabled replication group.',
    );
  }
  if (automaticFailover !== undefined && automaticFailover !== group.automaticFailover) {
    change.automaticFailover = automaticFailover;
  }
  if (multiAZ !== undefined && multiAZ !== group.multiAZ) change.multiAZ = multiAZ;

  const retention = params.integer('SnapshotRetentionLimit');
  if (retention !== undefined) {
    if (retention < 0 || retention > 35) {
      throw new ApiError(
        'InvalidParameterValue',
        `The parameter SnapshotRetentionLimit must be between 0 and 35 (got ${retention}).`,
      );
    }
    if (retention !== group.snapshotRetentionLimit) change.snapshotRetentionLimit = retention;
  }
  const snapshotWindow = params.string('SnapshotWindow');
  if (snapshotWindow !== undefined && snapshotWindow !== group.snapshotWindow) change.snapshotWindow = snapshotWindow;
  const maintenanceWindow = params.string('PreferredMaintenanceWindow');
  if (maintenanceWindow !== undefined && maintenanceWindow !== group.maintenanceWindow) {
    change.maintenanceWindow = maintenanceWindow;
  }
  const autoMinor = params.boolean('AutoMinorVersionUpgrade');
  if (autoMinor !== undefined && autoMinor !== group.autoMinorVersionUpgrade)
    change.autoMinorVersionUpgrade = autoMinor;

  change.transit = transitChange(params, group);
  const transitAfter = change.transit?.enabled ?? group.transitEncryption;
  if (change.transit?.enabled === false && group.authTokenEnabled) {
    throw new ApiError(
      'InvalidParameterCombination',
      'In-transit encryption cannot be disabled while AUTH is enabled: AUTH requires TransitEncryptionEnabled.',
    );
  }
  change.auth = authChange(params, group, transitAfter);

  const changed = Object.entries(change).some(([key, value]) => key !== 'applyImmediately' && value !== undefined);
  if (!changed) throw new ApiError('InvalidParameterCombination', 'No modifications were requested.');
  return change;
}

/**
 * AWS's steps: enabling needs TransitEncryptionMode=preferred in the same request; `required`
 * only from `preferred`; disabling only from `preferred`. Undefined when nothing changes.
 */
function transitChange(params: QueryParams, group: GroupRecord): GroupModification['transit'] {
  const enabled = params.boolean('TransitEncryptionEnabled');
  const modeRaw = params.string('TransitEncryptionMode');
  if (modeRaw !== undefined && modeRaw !== 'preferred' && modeRaw !== 'required') {
    throw new ApiError(
      'InvalidParameterValue',
      `Invalid value for TransitEncryptionMode: ${modeRaw} (valid: preferred, required).`,
    );
  }
  const mode = modeRaw as Mode | undefined;
  if (enabled === undefined && mode === undefined) return undefined;
  if (group.shards) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The local emulator does not emulate in-transit encryption for cluster mode enabled groups yet.',
    );
  }
  // AWS: "online TLS migration only for clusters with Valkey 7.2 and above or Redis OSS 7.0 or above".
  if (group.engine === 'redis' && Number(group.engineVersion.split('.')[0]) < 7) {
    throw new ApiError(
      'InvalidParameterCombination',
      `In-transit encryption can be changed on an existing replication group only with Redis OSS 7.0 or later (${group.id} runs ${group.engineVersion}); upgrade the engine first.`,
    );
  }
  const current: Mode | 'off' = group.transitEncryption ? (group.transitEncryptionMode ?? 'required') : 'off';
  if (enabled === false) {
    if (mode !== undefined) {
      throw new ApiError(
        'InvalidParameterCombination',
        'TransitEncryptionMode can only be specified when TransitEncryptionEnabled is true.',
      );
    }
    if (current === 'off') return undefined;
    if (current === 'required') {
      throw new ApiError(
        'InvalidParameterCombination',
        'To disable in-transit encryption, first set TransitEncryptionMode to preferred, then set TransitEncryptionEnabled to false.',
      );
    }
    return { enabled: false };
  }
  if (current === 'off') {
    if (enabled !== true) {
      throw new ApiError(
        'InvalidParameterCombination',
        'TransitEncryptionMode can only be specified when TransitEncryptionEnabled is true.',
      );
    }
    if (mode !== 'preferred') {
      throw new ApiError(
        'InvalidParameterCombination',
        'To enable in-transit encryption on an existing replication group, set TransitEncryptionMode to preferred in the same request; once every client uses TLS, set it to required.',
      );
    }
    return { enabled: true, mode: 'preferred' };
  }
  if (mode === undefined || mode === current) return undefined;
  return { enabled: true, mode };
}

/** ROTATE (the default) adds a token next to the current one; SET ends a rotation; DELETE needs RBAC. */
function authChange(params: QueryParams, group: GroupRecord, transitAfter: boolean): GroupModification['auth'] {
  const token = params.string('AuthToken');
  const strategyRaw = params.string('AuthTokenUpdateStrategy');
  if (token === undefined && strategyRaw === undefined) return undefined;
  if (group.shards) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The local emulator does not emulate AUTH token changes for cluster mode enabled groups yet.',
    );
  }
  if (strategyRaw !== undefined && !['ROTATE', 'SET', 'DELETE'].includes(strategyRaw)) {
    throw new ApiError(
      'InvalidParameterValue',
      `Invalid value for AuthTokenUpdateStrategy: ${strategyRaw} (valid: SET, ROTATE, DELETE).`,
    );
  }
  const strategy = (strategyRaw ?? 'ROTATE') as 'ROTATE' | 'SET' | 'DELETE';
  if (strategy === 'DELETE') {
    // AWS: DELETE is "allowed only when transitioning to RBAC" (UserGroupIdsToAdd), which the
    // emulator does not emulate, so it cannot honour it.
    throw new ApiError(
      'InvalidParameterCombination',
      'AuthTokenUpdateStrategy DELETE is allowed only when transitioning to RBAC (UserGroupIdsToAdd), which the local emulator does not emulate.',
    );
  }
  if (token === undefined) {
    throw new ApiError(
      'InvalidParameterCombination',
      `AuthTokenUpdateStrategy ${strategy} must be specified with the AuthToken parameter.`,
    );
  }
  if (!transitAfter) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The AuthToken parameter can only be used when TransitEncryptionEnabled is set to true.',
    );
  }
  checkAuthToken(token);
  if (strategy === 'SET' && group.authTokenEnabled && !group.authTokenRotating) {
    throw new ApiError(
      'InvalidParameterCombination',
      'AuthTokenUpdateStrategy SET is allowed only after ROTATE: rotate to the new token first.',
    );
  }
  return { strategy, token };
}

/** The record's fields once the processes have switched (PendingModifiedValues until then). */
export function applyModification(group: GroupRecord, change: GroupModification): void {
  if (change.description !== undefined) group.description = change.description;
  if (change.cacheNodeType !== undefined) group.cacheNodeType = change.cacheNodeType;
  if (change.automaticFailover !== undefined) group.automaticFailover = change.automaticFailover;
  if (change.multiAZ !== undefined) group.multiAZ = change.multiAZ;
  if (change.snapshotRetentionLimit !== undefined) group.snapshotRetentionLimit = change.snapshotRetentionLimit;
  if (change.snapshotWindow !== undefined) group.snapshotWindow = change.snapshotWindow;
  if (change.maintenanceWindow !== undefined) group.maintenanceWindow = change.maintenanceWindow;
  if (change.autoMinorVersionUpgrade !== undefined) group.autoMinorVersionUpgrade = change.autoMinorVersionUpgrade;
  if (change.transit) {
    group.transitEncryption = change.transit.enabled;
    group.transitEncryptionMode = change.transit.enabled ? change.transit.mode : undefined;
  }
  if (change.auth) {
    // A ROTATE over an existing token leaves two valid until a SET.
    group.authTokenRotating = change.auth.strategy === 'ROTATE' && group.authTokenEnabled;
    group.authTokenEnabled = true;
    group.authTokenLastModified = new Date().toISOString();
  }
}

/** What Describe shows under PendingModifiedValues while the change applies. */
export function pendingOf(change: GroupModification): GroupRecord['pendingModifiedValues'] {
  const pending: NonNullable<GroupRecord['pendingModifiedValues']> = {};
  if (change.transit) {
    pending.transitEncryptionEnabled = change.transit.enabled;
    pending.transitEncryptionMode = change.transit.mode;
  }
  if (change.auth) pending.authTokenStatus = change.auth.strategy === 'ROTATE' ? 'ROTATING' : 'SETTING';
  return Object.keys(pending).length > 0 ? pending : undefined;
}

export interface ModifyDependencies {
  groups: ReplicationGroups;
  engineBinary(engine: EngineName): { path: string };
  tlsMaterial(): TlsMaterial;
  engineHasTls(binaryPath: string): boolean;
}

/** The action: validate, mark `modifying` with the pending values, switch the nodes in the background. */
export function modifyReplicationGroup(deps: ModifyDependencies, group: GroupRecord, params: QueryParams): GroupRecord {
  if (group.status !== 'available') {
    throw new ApiError(
      'InvalidReplicationGroupState',
      `Replication group ${group.id} is not in available state (status: ${group.status}).`,
    );
  }
  const change = parseModifyReplicationGroup(params, group);
  let tls: RuntimeChange['tls'];
  if (change.transit) {
    if (!change.transit.enabled) tls = { value: undefined };
    else {
      const binary = deps.engineBinary(group.engine).path;
      if (!deps.engineHasTls(binary)) {
        throw new ApiError(
          'InvalidParameterCombination',
          `${binary} was built without TLS, so the local emulator cannot serve TransitEncryptionEnabled.`,
        );
      }
      const material = deps.tlsMaterial();
      tls = {
        value: {
          mode: change.transit.mode ?? 'required',
          certFile: material.certFile,
          keyFile: material.keyFile,
          caCertFile: material.caCertFile,
        },
      };
    }
  }
  group.pendingModifiedValues = pendingOf(change);
  deps.groups.modify(group, { tls, auth: change.auth }, () => applyModification(group, change));
  return group;
}
