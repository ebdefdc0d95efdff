/**
 * The interactive walkthrough: asks, in the console's order, for each setting not given as
 * a flag. Every answer is checked by the same validators as the flags, so a bad answer is
 * asked again instead of failing later. Answers fill the same PlanInput the flags do.
 */
import type { PlanInput } from '../plan/cluster-plan.js';
import { checkNodeQuota, DEFAULTS, resolveSharding } from '../plan/cluster-plan.js';
import {
  NODE_FAMILIES,
  DEFAULT_NODE_TYPE,
  knownNodeTypes,
  parseNodeType,
  supportsAutomaticFailover,
  supportsMultiAZ,
} from '../plan/node-types.js';
import {
  parseAllowFrom,
  parseDescription,
  parseNodeTypeFlag,
  parsePort,
  parseReplicas,
  parseSecurityGroupIds,
  parseShards,
  validateAuthToken,
  validateReplicationGroupId,
} from '../plan/rules.js';
import { askConfirm, askSecret, askSelect, askText, validatorOf, type Choice } from '../ui/prompts.js';
import { portLabel } from '../plan/requests.js';
import {
  DATA_STORAGE_GB,
  ECPU_PER_SECOND,
  SERVERLESS_DEFAULTS,
  SERVERLESS_PORTS,
  parseDataStorage,
  parseEcpu,
  parseMajorEngineVersion,
  parseUserGroupId,
  type ServerlessInput,
} from '../plan/serverless-plan.js';
import { parseSubnetIds } from '../plan/rules.js';
import type { Output } from '../ui/output.js';

export interface WalkthroughOptions {
  /** Only the values a run cannot go without (id, network access): used with --yes. */
  requiredOnly: boolean;
  /** Engine versions per engine, newest first (fetched before prompting). */
  engineVersions: (engine: string) => Promise<string[]>;
  output: Output;
  /** Ask for the AUTH token when transit encryption is chosen and none was given. */
  askAuthToken: boolean;
}

const OTHER = '__other__';

export async function walkthrough(given: PlanInput, options: WalkthroughOptions): Promise<PlanInput> {
  const input: PlanInput = { ...given };
  const all = !options.requiredOnly;
  const note = (text: string) => options.output.info(options.output.paintErr('dim', `  ${text}`));

  if (all && input.engine === undefined) {
    input.engine = await askSelect(
      'Engine',
      [
        { name: 'Redis OSS', value: 'redis', description: "the walkthrough's engine" },
        {
          name: 'Valkey',
          value: 'valkey',
          description: 'the open-source fork of Redis, same protocol, lower price on AWS',
        },
      ],
      DEFAULTS.engine as string,
    );
  }
  if (all && input.engineVersion === undefined) {
    const versions = await options.engineVersions(input.engine ?? DEFAULTS.engine);
    if (versions.length > 0) {
      input.engineVersion = await askSelect(
        'Engine version',
        versions.map((v, i) => ({ name: i === 0 ? `${v} (newest)` : v, value: v })),
        versions[0],
      );
    }
  }
  if (input.id === undefined) {
    input.id = await askText('Name (replication group id)', {
      validate: validatorOf((value) => validateReplicationGroupId(value, 'the name')),
    });
  }
  if (all && input.description === undefined) {
    input.description = await askText('Description', {
      default: DEFAULTS.description(input.id.toLowerCase()),
      validate: validatorOf(parseDescription),
    });
  }
  if (all && input.nodeType === undefined) {
    input.nodeType = await askNodeType();
  }
  const nodeType = input.nodeType ?? DEFAULT_NODE_TYPE;
  if (all && input.clusterMode === undefined && input.shards === undefined) {
    input.clusterMode = await askSelect(
      'Cluster mode',
      [
        {
          name: 'Disabled',
          value: 'disabled',
          description: "one shard: a primary endpoint and a reader endpoint (the walkthrough's setup)",
        },
        {
          name: 'Enabled',
          value: 'enabled',
          description: 'data split over shards by hash slot; apps need a cluster-aware client',
        },
      ],
      'disabled',
    );
  }
  if (all && input.shards === undefined && input.clusterMode === 'enabled') {
    input.shards = await askText('Number of shards (1-500)', {
      default: String(DEFAULTS.clusterShards),
      validate: validatorOf(parseShards),
    });
  }
  const { clusterMode, shards } = resolveSharding(input);
  if (all && input.replicas === undefined) {
    const perShard =
      clusterMode === 'disabled' ? 'Number of read replicas (0-5)' : 'Number of replicas per shard (0-5)';
    input.replicas = await askText(perShard, {
      default: String(DEFAULTS.replicas),
      // Over 500 nodes is asked again; over the default quota only warned about, later.
      validate: validatorOf((value) => checkNodeQuota(shards, parseReplicas(value), clusterMode)),
    });
  }
  if (all && input.port === undefined) {
    input.port = await askText('Port', { default: String(DEFAULTS.port), validate: validatorOf(parsePort) });
  }
  const replicas = Number(input.replicas ?? DEFAULTS.replicas);
  if (all && input.automaticFailover === undefined && clusterMode !== 'disabled') {
    note('automatic failover stays on: cluster mode requires it');
  } else if (all && input.automaticFailover === undefined && input.multiAz !== true) {
    if (replicas === 0)
      note('automatic failover and Multi-AZ need a replica to promote: both stay off with 0 replicas');
    else if (!supportsAutomaticFailover(nodeType)) note(`${nodeType} cannot fail over automatically (T1 node type)`);
    else
      input.automaticFailover = await askConfirm('Automatic failover (promote a replica if the primary fails)?', true);
  }
  if (
    all &&
    input.multiAz === undefined &&
    replicas > 0 &&
    input.automaticFailover !== false &&
    supportsAutomaticFailover(nodeType)
  ) {
    if (!supportsMultiAZ(nodeType)) {
      note(
        `Multi-AZ stays disabled for ${nodeType} (the walkthrough's advice for small instances; --multi-az overrides it); choose cache.t3.small or larger for Multi-AZ`,
      );
      input.multiAz = false;
    } else {
      input.multiAz = await askConfirm('Multi-AZ (replicas in other zones, failover across zones)?', DEFAULTS.multiAZ);
    }
  }
  if (input.allowFrom === undefined && input.securityGroup === undefined) {
    await askAccess(input, input.port ?? DEFAULTS.port);
  }
  if (all && input.transitEncryption === undefined) {
    input.transitEncryption = await askConfirm(
      'Encryption in transit (TLS; clients connect with rediss://)?',
      DEFAULTS.transitEncryption,
    );
  }
  if (input.transitEncryption && input.authToken === undefined && (all || options.askAuthToken)) {
    const token = await askSecret(
      'AUTH token (hidden; 16-128 letters, digits, ! & # $ ^ < > -; Enter for none)',
      validatorOf((value) => validateAuthToken(value, 'typed')),
      !options.askAuthToken,
    );
    if (token !== '') input.authToken = { value: token, origin: 'typed at the prompt' };
  }
  if (all && input.atRestEncryption === undefined) {
    input.atRestEncryption = await askConfirm(
      'Encryption at rest?',
      input.engine === 'valkey' ? true : DEFAULTS.atRestEncryption,
    );
  }
  return input;
}

async function askNodeType(): Promise<string> {
  const summary = new Map(NODE_FAMILIES.map((f) => [f.family, f.summary]));
  const choices: Array<Choice<string>> = knownNodeTypes().map((type) => ({
    name: type,
    value: type,
    description: summary.get(parseNodeType(type)!.family) ?? '',
  }));
  choices.push({
    name: 'other (type a node type)',
    value: OTHER,
    description: 'a previous-generation or newer type: cache.<family>.<size>',
  });
  const chosen = await askSelect('Node type', choices, DEFAULT_NODE_TYPE);
  if (chosen !== OTHER) return chosen;
  return askText('Node type (cache.<family>.<size>)', { validate: validatorOf(parseNodeTypeFlag) });
}

async function askAccess(
  input: Pick<PlanInput, 'allowFrom' | 'securityGroup'>,
  port: string | number = DEFAULTS.port,
): Promise<void> {
  const how = await askSelect<'allow-from' | 'security-group'>(
    'Who may connect?',
    [
      {
        name: `Create a security group opening only port${String(port).includes('-') ? 's' : ''} ${port} to one source`,
        value: 'allow-from',
        description: "the bastion's or the app's security group (sg-…), or a CIDR block such as your VPC's 10.0.0.0/16",
      },
      {
        name: 'Use existing security groups',
        value: 'security-group',
        description: 'security group ids of the same VPC',
      },
    ],
    'allow-from',
  );
  if (how === 'security-group') {
    input.securityGroup = await askText('Security group ids (comma-separated)', {
      validate: validatorOf(parseSecurityGroupIds),
    });
    return;
  }
  input.allowFrom = await askText('Allow connections from (sg-id or CIDR)', { validate: validatorOf(parseAllowFrom) });
}

/** The console's first question: a serverless cache, or one you design (node-based). */
export async function askDeploymentOption(): Promise<'serverless' | 'node-based'> {
  return askSelect<'serverless' | 'node-based'>(
    'Deployment option',
    [
      {
        name: 'Node-based cache (design your own)',
        value: 'node-based',
        description: "the walkthrough's replication group: node type, replicas, port, Multi-AZ",
      },
      {
        name: 'Serverless',
        value: 'serverless',
        description: 'no nodes to size: it scales by itself within usage limits; TLS always, cluster protocol',
      },
    ],
    'node-based',
  );
}

/** The serverless screens in the console's order: name, engine, version, usage limits, connectivity, security. */
export async function serverlessWalkthrough(
  given: ServerlessInput,
  options: { requiredOnly: boolean; output: Output },
): Promise<ServerlessInput> {
  const input: ServerlessInput = { ...given };
  const all = !options.requiredOnly;
  const optionalNumber = (check: (value: string) => unknown) =>
    validatorOf((value) => (value.trim() === '' ? undefined : check(value)));
  if (input.id === undefined) {
    input.id = await askText('Name (serverless cache name)', {
      validate: validatorOf((value) => validateReplicationGroupId(value, 'the name')),
    });
  }
  if (all && input.description === undefined) {
    input.description = await askText('Description', {
      default: DEFAULTS.description(input.id.toLowerCase()),
      validate: validatorOf(parseDescription),
    });
  }
  if (all && input.engine === undefined) {
    input.engine = await askSelect(
      'Engine',
      [
        { name: 'Valkey', value: 'valkey', description: 'the open-source fork of Redis, lower price on AWS' },
        { name: 'Redis OSS', value: 'redis', description: "the walkthrough's engine" },
      ],
      SERVERLESS_DEFAULTS.engine as string,
    );
  }
  if (all && input.majorEngineVersion === undefined) {
    const version = await askText('Major engine version (Enter: the newest)', {
      validate: optionalNumber(parseMajorEngineVersion),
    });
    if (version.trim() !== '') input.majorEngineVersion = version.trim();
  }
  if (all && input.maxDataStorage === undefined) {
    const gb = await askText(
      `Maximum data storage in GB, ${DATA_STORAGE_GB.min}-${DATA_STORAGE_GB.max} (Enter: no limit)`,
      { validate: optionalNumber((value) => parseDataStorage('--max-data-storage', value)) },
    );
    if (gb.trim() !== '') input.maxDataStorage = gb.trim();
  }
  if (all && input.maxEcpuPerSecond === undefined) {
    const ecpu = await askText(
      `Maximum ECPUs per second, ${ECPU_PER_SECOND.min}-${ECPU_PER_SECOND.max} (Enter: no limit)`,
      { validate: optionalNumber((value) => parseEcpu('--max-ecpu-per-second', value)) },
    );
    if (ecpu.trim() !== '') input.maxEcpuPerSecond = ecpu.trim();
  }
  if (all && input.subnets === undefined) {
    const subnets = await askText("Subnets, comma-separated (Enter: the default VPC's)", {
      validate: optionalNumber(parseSubnetIds),
    });
    if (subnets.trim() !== '') input.subnets = subnets.trim();
  }
  if (input.allowFrom === undefined && input.securityGroup === undefined) {
    await askAccess(input, portLabel(SERVERLESS_PORTS.endpoint, SERVERLESS_PORTS.reader));
  }
  if (all && input.userGroup === undefined) {
    const group = await askText('User group id (RBAC users who may connect; Enter: none)', {
      validate: optionalNumber(parseUserGroupId),
    });
    if (group.trim() !== '') input.userGroup = group.trim();
  }
  return input;
}
