/**
 * create-cluster --serverless: flags → (prompts) → validation → AWS-side checks → review →
 * confirm → launch → wait → Topology, as for a node-based group. Node-based flags are
 * refused before anything else; every given value is checked before the first AWS call.
 */
import type { CommandContext } from './lazy.js';
import { describeAccess } from '../plan/cluster-plan.js';
import { describeSource } from '../plan/rules.js';
import { portLabel } from '../plan/requests.js';
import {
  SERVERLESS_PORTS,
  describeLimits,
  missingServerless,
  refuseNodeBasedFlags,
  resolveServerlessPlan,
  validateServerlessGiven,
  type ServerlessInput,
  type ServerlessPlan,
} from '../plan/serverless-plan.js';
import { serverlessToolTags, type ServerlessNetwork } from '../plan/serverless-requests.js';
import { renderKeyValues, type Cell } from '../ui/table.js';
import type { CreateClusterOptions } from './create-cluster.run.js';
import {
  printCreateResult,
  refuseMissingWithoutTerminal,
  refuseUnconfirmedWithoutTerminal,
  reviewAndConfirm,
} from './create-cluster.outcome.js';
import { commandEvents, openAws } from './session.js';

export async function runServerless(context: CommandContext<CreateClusterOptions>): Promise<void> {
  const { options, output, globals } = context;
  refuseNodeBasedFlags(options as unknown as Record<string, unknown>);
  const given = serverlessInputFromFlags(context.args[0] as string | undefined, options);

  // 1. Everything given is checked before anything else (exit 2, no AWS call).
  validateServerlessGiven(given);
  const interactive = output.interactive;
  const missing = missingServerless(given);
  refuseMissingWithoutTerminal(interactive, missing);
  const willPrompt = interactive && missing.length > 0;
  if (!willPrompt) resolveServerlessPlan(given);
  refuseUnconfirmedWithoutTerminal(interactive, options);

  // 2. AWS: connect, then (on a terminal) ask for what is missing.
  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals, { ec2: true });
  try {
    let input = given;
    if (willPrompt) {
      const { serverlessWalkthrough } = await import('./create-cluster.prompts.js');
      input = await serverlessWalkthrough(given, { requiredOnly: options.yes === true, output });
    }
    const { plan, warnings } = resolveServerlessPlan(input);
    for (const warning of warnings) output.warn(warning);

    const { createServerless } = await import('../core/create-serverless.js');
    const result = await createServerless(
      aws,
      {
        plan,
        dryRun: options.dryRun === true,
        wait: options.wait,
        review: (resolved, network, region) =>
          reviewAndConfirm(
            output,
            renderServerlessReview(resolved, network, region),
            resolved.name,
            options.yes === true,
          ),
      },
      await commandEvents(output, globals),
    );
    await printCreateResult(output, result);
  } finally {
    closeClients(aws);
  }
}

function serverlessInputFromFlags(id: string | undefined, options: CreateClusterOptions): ServerlessInput {
  const input: ServerlessInput = {
    id,
    engine: options.engine,
    majorEngineVersion: options.majorEngineVersion,
    description: options.description,
    maxDataStorage: options.maxDataStorage,
    minDataStorage: options.minDataStorage,
    maxEcpuPerSecond: options.maxEcpuPerSecond,
    minEcpuPerSecond: options.minEcpuPerSecond,
    subnets: options.subnets,
    securityGroup: options.securityGroup,
    allowFrom: options.allowFrom,
    userGroup: options.userGroup,
    tags: options.tag,
    waitTimeout: options.waitTimeout,
  };
  // Absent stays absent: `explicit` is computed from the keys that are set.
  for (const key of Object.keys(input) as Array<keyof ServerlessInput>) if (input[key] === undefined) delete input[key];
  return input;
}

/** The review screen: every setting, and each resource that will be created or reused. */
export function renderServerlessReview(plan: ServerlessPlan, network: ServerlessNetwork, region: string): string {
  const { endpoint, reader } = SERVERLESS_PORTS;
  const ports = portLabel(endpoint, reader);
  const securityGroups = network.securityGroups
    .map((step) =>
      step.action === 'create'
        ? `${step.name} (new: ports ${ports}/tcp from ${describeSource(step.source)} only)`
        : `${step.groupId} (existing${step.createdByTool ? ', made by elasticache-kit earlier' : ''})`,
    )
    .join('; ');
  const tags = [...serverlessToolTags(plan.name), ...plan.tags].map((t) => `${t.Key}=${t.Value}`).join(', ');
  const willCreate = [
    ...network.securityGroups.flatMap((s) =>
      s.action === 'create' ? [`security group ${s.name} + 1 ingress rule`] : [],
    ),
    `serverless cache ${plan.name}`,
  ];
  const pairs: Array<[string, Cell]> = [
    ['Region', region],
    ['Serverless cache', plan.name],
    ['Description', plan.description],
    ['Engine', `${plan.engine} ${plan.majorEngineVersion ?? '(newest major version)'}`],
    ['Usage limits', describeLimits(plan)],
    ['VPC', `${network.vpcId}${network.vpcIsDefault ? ' (default)' : ''}`],
    ['Subnets', network.subnetIds ? network.subnetIds.join(', ') : "the VPC's default subnets (AWS chooses)"],
    ['Access', describeAccess(plan.access, endpoint).replace(`port ${endpoint}/tcp`, `ports ${ports}/tcp`)],
    ['Security groups', securityGroups],
    ['Endpoints', `endpoint :${endpoint} (reads and writes), reader endpoint :${reader} (reads); cluster protocol`],
    ['Encryption', 'in transit (TLS, always) and at rest (always)'],
    ['User group', plan.userGroupId ?? 'none: no AUTH, anyone the security group admits can connect'],
    ['Tags', tags],
    ['Will create', willCreate.join('; ')],
  ];
  return renderKeyValues(pairs);
}
