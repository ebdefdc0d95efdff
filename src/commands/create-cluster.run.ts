/**
 * create-cluster: flags → (prompts) → validation → AWS-side checks → review → confirm →
 * launch → wait → Topology. Validation of every given value happens before the first
 * AWS call; nothing is created before the confirmation.
 */
import { readFile, stat } from 'node:fs/promises';
import type { CommandContext } from './lazy.js';
import { UsageError, messageOf } from '../errors.js';
import { missingRequired, resolvePlan, validateGiven, type ClusterPlan, type PlanInput } from '../plan/cluster-plan.js';
import { parseEnvVarName, validateAuthToken } from '../plan/rules.js';
import { chooseEngineVersion, checkVersionFeatures, sortVersions } from '../plan/engine-versions.js';
import { planToRequests, type ApiRequest } from '../plan/requests.js';
import { differences, formatDifferences } from '../plan/differences.js';
import type { Output } from '../ui/output.js';
import type { AwsContext } from '../aws/clients.js';
import type { CreatedResource } from '../aws/network.js';
import { renderReview } from './create-cluster.review.js';

/** The flags as commander parses them: the plan's own fields, plus how to run. */
export type CreateClusterOptions = Omit<PlanInput, 'id' | 'authToken' | 'tags' | 'replicas' | 'port' | 'waitTimeout'> & {
  replicas?: string;
  port?: string;
  waitTimeout?: string;
  tag?: string[];
  authTokenEnv?: string;
  authTokenFile?: string;
  authTokenPrompt?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  wait: boolean;
};

export async function run(context: CommandContext<CreateClusterOptions>): Promise<void> {
  const { options, output, globals } = context;
  const given = inputFromFlags(context.args[0] as string | undefined, options);

  // 1. Everything given is checked before anything else (exit 2, no AWS call).
  const warned = new Set<string>();
  const warn = (warning: string) => {
    if (!warned.has(warning)) output.warn(warning);
    warned.add(warning);
  };
  validateGiven(given).forEach(warn);
  const tokenSources = [options.authTokenEnv, options.authTokenFile, options.authTokenPrompt].filter((v) => v !== undefined);
  if (tokenSources.length > 1) throw new UsageError('--auth-token-env, --auth-token-file and --auth-token-prompt: give only one AUTH token source');
  if (options.authTokenPrompt && given.transitEncryption === false) {
    throw new UsageError('--auth-token-prompt needs --transit-encryption (the default; drop --no-transit-encryption): AWS accepts AUTH only over TLS');
  }
  if (options.authTokenEnv !== undefined) given.authToken = tokenFromEnv(options.authTokenEnv);
  if (options.authTokenFile !== undefined) given.authToken = await tokenFromFile(options.authTokenFile, output);

  const interactive = output.interactive;
  const missing = missingRequired(given);
  if (!interactive) {
    if (missing.length > 0) throw new UsageError(`missing required values (no terminal to ask on): pass ${missing.join('; ')}`);
    if (options.authTokenPrompt) throw new UsageError('--auth-token-prompt needs a terminal; use --auth-token-env VAR or --auth-token-file FILE');
  }
  const willPrompt = interactive && (missing.length > 0 || options.authTokenPrompt === true);
  // Without prompts, the whole plan (combinations included) is checked before connecting,
  // and before asking for --yes: a wrong value is the first thing to hear about.
  if (!willPrompt) resolvePlan(given);
  if (!interactive && !options.yes && !options.dryRun) {
    throw new UsageError('no terminal to confirm on: pass --yes to create without confirmation (or --dry-run to see the requests)');
  }

  // 2. AWS: connect, then (on a terminal) ask for what is missing.
  const { connect, closeClients } = await import('../aws/clients.js');
  const aws = await connect(globals);
  try {
    let input = given;
    const versionCache = new Map<string, string[]>();
    const engineVersions = async (engine: string) => {
      if (!versionCache.has(engine)) {
        const { listEngineVersions } = await import('../aws/engine-versions.js');
        versionCache.set(engine, sortVersions(await listEngineVersions(aws, engine)));
      }
      return versionCache.get(engine)!;
    };
    if (willPrompt) {
      const { walkthrough } = await import('./create-cluster.prompts.js');
      output.info(output.paintErr('bold', 'Create a replication group') + output.paintErr('dim', ' (Ctrl-C to stop; nothing is created before the review)'));
      input = await walkthrough(given, {
        // The whole walkthrough when something required is missing (a person exploring);
        // with --yes, or only --auth-token-prompt to answer, just what is needed.
        requiredOnly: options.yes === true || missing.length === 0,
        engineVersions,
        output,
        askAuthToken: options.authTokenPrompt === true,
      });
    }
    const { plan, warnings } = resolvePlan(input);
    warnings.forEach(warn);

    // 3. The group may exist already: same settings → report and wait; different → exit 2.
    if (await handleExisting(aws, plan, context)) return;

    // 4. AWS-side checks, still changing nothing: engine version, VPC, subnets, security groups.
    const offered = await engineVersions(plan.engine);
    plan.engineVersion = chooseEngineVersion(plan.engine, offered, plan.engineVersion);
    checkVersionFeatures(plan.engine, plan.engineVersion, plan);
    const { resolveNetwork } = await import('../aws/network.js');
    const network = await resolveNetwork(aws, plan);
    const requests = planToRequests(plan, network);

    if (options.dryRun) {
      output.printJson(requests);
      output.info('dry run: nothing was created');
      return;
    }

    // 5. Review and confirm.
    output.info('');
    output.info(renderReview(plan, network, aws.region).trimEnd());
    output.info('');
    if (!options.yes) {
      const { askConfirm } = await import('../ui/prompts.js');
      const go = await askConfirm(`Create ${plan.replicationGroupId}?`, true);
      if (!go) throw new UsageError('declined at the review: nothing was created');
    }

    // 6. Launch, then wait and print the endpoints.
    await launchPlan(aws, plan, requests, output);
    await finish(aws, plan, context, 'created');
  } finally {
    closeClients(aws);
  }
}

function inputFromFlags(id: string | undefined, options: CreateClusterOptions): PlanInput {
  // Everything but how to run (and where the token comes from) is part of the plan.
  const { tag, authTokenEnv: _env, authTokenFile: _file, authTokenPrompt: _prompt, yes: _yes, dryRun: _dryRun, wait: _wait, ...planFields } = options;
  const input: PlanInput = { id, ...planFields, tags: tag };
  // Absent stays absent: `explicit` is computed from the keys that are set.
  for (const key of Object.keys(input) as Array<keyof PlanInput>) if (input[key] === undefined) delete input[key];
  return input;
}

function tokenFromEnv(variable: string): { value: string; origin: string } {
  parseEnvVarName(variable);
  const value = process.env[variable];
  if (value === undefined || value === '') {
    throw new UsageError(`--auth-token-env ${variable}: the variable is not set or empty (export ${variable}=… first)`);
  }
  return { value: validateAuthToken(value, `$${variable}`), origin: `$${variable}` };
}

async function tokenFromFile(file: string, output: Output): Promise<{ value: string; origin: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--auth-token-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? messageOf(error)})`);
  }
  try {
    const mode = (await stat(file)).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      output.warn(`--auth-token-file ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 ${file}`);
    }
  } catch {
    // the read succeeded; the mode check is advice only
  }
  const value = text.replace(/\r?\n$/, '');
  return { value: validateAuthToken(value, file), origin: file };
}

/** True when the group exists with the same settings and has been reported (and waited for). */
async function handleExisting(aws: AwsContext, plan: ClusterPlan, context: CommandContext<CreateClusterOptions>): Promise<boolean> {
  const { describeReplicationGroup } = await import('../aws/topology.js');
  const { NotFoundError } = await import('../errors.js');
  let group;
  try {
    group = await describeReplicationGroup(aws, plan.replicationGroupId);
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
  const { existingGroupSettings } = await import('../aws/replication-groups.js');
  const existing = await existingGroupSettings(aws, group);
  if (existing.status === 'deleting') {
    throw new UsageError(`replication group ${plan.replicationGroupId} is being deleted; wait for it (elasticache-kit wait ${plan.replicationGroupId} --deleted) and run again`);
  }
  const found = differences(plan, existing);
  if (found.length > 0) throw new UsageError(formatDifferences(plan.replicationGroupId, found));
  const { output } = context;
  if (context.options.dryRun) {
    output.printJson([]);
    output.info(`replication group ${plan.replicationGroupId} already exists with these settings (status: ${existing.status}); nothing to create`);
    return true;
  }
  output.info(`replication group ${plan.replicationGroupId} already exists with these settings (status: ${existing.status}); nothing to create`);
  await finish(aws, plan, context, 'created');
  return true;
}

async function launchPlan(aws: AwsContext, plan: ClusterPlan, requests: ApiRequest[], output: Output): Promise<void> {
  const { launch } = await import('../aws/launch.js');
  const { removeCreated } = await import('../aws/network.js');
  const { onInterrupt } = await import('../interrupt.js');
  const created: CreatedResource[] = [];
  let groupRequested = false;
  // Ctrl-C between creating the network and requesting the group: take the network back.
  const stopListening = onInterrupt(async () => {
    if (groupRequested || created.length === 0) return;
    const undo = await removeCreated(aws, created);
    if (undo.removed.length > 0) output.info(`interrupted: removed what this run had created: ${undo.removed.join(', ')}`);
  });
  try {
    await launch(aws, requests, {
      ...(plan.authToken ? { authToken: plan.authToken.value } : {}),
      created,
      onStep: (request) => {
        if (request.action === 'CreateReplicationGroup') groupRequested = true;
        output.info(describeStep(request));
      },
    });
  } finally {
    stopListening();
  }
}

function describeStep(request: ApiRequest): string {
  const input = request.input as Record<string, unknown>;
  switch (request.action) {
    case 'CreateCacheSubnetGroup':
      return `creating cache subnet group ${String(input.CacheSubnetGroupName)}`;
    case 'CreateSecurityGroup':
      return `creating security group ${String(input.GroupName)}`;
    case 'AuthorizeSecurityGroupIngress':
      return 'opening the cache port to the source';
    case 'CreateReplicationGroup':
      return `requesting replication group ${String(input.ReplicationGroupId)} (${String(input.NumCacheClusters)} node${input.NumCacheClusters === 1 ? "" : "s"})`;
  }
}

/** Waits (unless --no-wait) and prints the Topology, as `endpoints` would. */
async function finish(aws: AwsContext, plan: ClusterPlan, context: CommandContext<CreateClusterOptions>, doing: string): Promise<void> {
  const { output, globals, options } = context;
  const { discoverTopology } = await import('../aws/topology.js');
  if (options.wait) {
    const { waitWithProgress } = await import('./wait-progress.js');
    await waitWithProgress(aws, output, globals, plan.replicationGroupId, { until: 'available', timeoutMinutes: plan.waitTimeoutMinutes, doing });
  } else {
    const { resumeCommand } = await import('./wait-progress.js');
    output.info(`not waiting (--no-wait); to wait later: ${resumeCommand(globals, plan.replicationGroupId, 'available')}`);
  }
  const topology = await discoverTopology(aws, plan.replicationGroupId);
  if (output.json) {
    output.printJson(topology);
    return;
  }
  const { renderTopology } = await import('../ui/topology-view.js');
  output.result(renderTopology(topology));
}

